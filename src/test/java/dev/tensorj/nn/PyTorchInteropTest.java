package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Safetensors;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.optim.SGD;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Weights cross between tensorj and PyTorch itself through safetensors files: a model trained here
 * loads into the equivalent {@code torch.nn} model and gives tensorj's outputs, and a model trained
 * in PyTorch loads here and gives PyTorch's. The Python side ({@code src/test/python/torch_interop.py})
 * reads and writes the format with json and numpy. Skips, with the reason, without a Python that
 * imports torch and numpy (Debian: {@code apt-get install python3-torch python3-numpy}; {@code .ci/run}
 * installs them). {@code -Dtensorj.test.python=...} picks the interpreter.
 */
class PyTorchInteropTest {
    private static final Path SCRIPT = Path.of("src/test/python/torch_interop.py");
    private static String python;
    private static String whyNot;

    @TempDir
    static Path dir;

    @BeforeAll
    static void findPythonWithTorchAndLetItTrainAModel() throws Exception {
        List<String> candidates = new ArrayList<>();
        String chosen = System.getProperty("tensorj.test.python");
        if (chosen != null) {
            candidates.add(chosen);
        }
        candidates.addAll(List.of("python3", "/usr/bin/python3"));
        List<String> tried = new ArrayList<>();
        for (String c : candidates) {
            Result r = run(List.of(c, "-c", "import torch, numpy; print(torch.__version__)"));
            if (r.rc == 0) {
                python = c;
                break;
            }
            tried.add(c + ": " + r.lastLine());
        }
        if (python == null) {
            whyNot = "no Python with torch and numpy (apt-get install python3-torch python3-numpy); tried " + tried;
            return;
        }
        Result saved = run(List.of(python, SCRIPT.toString(), "save", dir.resolve("torch-model.safetensors").toString(),
                dir.resolve("torch-io.safetensors").toString()));
        assertEquals(0, saved.rc, saved.output);
    }

    private static void assumePython() {
        Assumptions.assumeTrue(python != null, () -> whyNot);
    }

    /** The layers of the script's {@code model()}. */
    private static Sequential model() {
        return new Sequential(new Linear(4, 8), new BatchNorm1d(8), new ReLU(), new Linear(8, 3));
    }

    @ParameterizedTest
    @DevicesSource
    void aModelTrainedInTensorjGivesTheSameOutputsInPyTorch(Device device) throws Exception {
        assumePython();
        Tensor.manualSeed(1404);
        Sequential model = model().to(device);
        SGD sgd = new SGD(model.parameters(), 0.1f);
        MSELoss mse = new MSELoss();
        for (int step = 0; step < 20; step++) { // trained, so the running statistics are not zeros and ones
            model.zeroGrad();
            mse.forward(model.forward(Tensor.randn(device, 16, 4)), Tensor.randn(device, 16, 3)).backward();
            sgd.step();
        }
        model.eval();
        Tensor x = Tensor.randn(device, 6, 4);
        Map<String, Tensor> io = new LinkedHashMap<>();
        io.put("x", x);
        io.put("y", model.forward(x));
        Path weights = dir.resolve("tensorj-model-" + device + ".safetensors");
        Path inputs = dir.resolve("tensorj-io-" + device + ".safetensors");
        Safetensors.save(model.stateDict(), weights);
        Safetensors.save(io, inputs);
        Result r = run(List.of(python, SCRIPT.toString(), "load", weights.toString(), inputs.toString()));
        assertEquals(0, r.rc, "torch's outputs differ from tensorj's, or its load failed:\n" + r.output);
    }

    @ParameterizedTest
    @DevicesSource
    void aModelTrainedInPyTorchGivesTheSameOutputsInTensorj(Device device) throws IOException {
        assumePython();
        Sequential model = model().to(device);
        IncompatibleKeys r = model.loadStateDict(Safetensors.load(dir.resolve("torch-model.safetensors"), device), false);
        assertEquals(List.of(), r.missingKeys());
        assertEquals(List.of("1.num_batches_tracked"), r.unexpectedKeys(), "tensorj's BatchNorm1d has no such buffer");
        model.eval();
        Map<String, Tensor> io = Safetensors.load(dir.resolve("torch-io.safetensors"), device); // x is F64, x16 F16
        float[] y = model.forward(io.get("x")).toFloatArray();
        float[] expected = io.get("y").toFloatArray();
        for (int i = 0; i < y.length; i++) {
            assertEquals(expected[i], y[i], 1e-5 + 1e-5 * Math.abs(expected[i]), "output " + i);
        }
        float[] x = io.get("x").toFloatArray();
        float[] x16 = io.get("x16").toFloatArray();
        for (int i = 0; i < x.length; i++) { // a half keeps 11 significant bits
            assertTrue(Math.abs(x16[i] - x[i]) <= Math.abs(x[i]) * 0x1p-11 + 0x1p-24, "x16[" + i + "]");
        }
    }

    private record Result(int rc, String output) {
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static Result run(List<String> command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out after 120 s: " + command);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
    }
}
