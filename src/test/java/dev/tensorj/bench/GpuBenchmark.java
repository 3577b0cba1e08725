package dev.tensorj.bench;

import dev.tensorj.Device;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import dev.tensorj.backend.cuda.CudaBackends;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The GPU benchmark, tensorj's half (benchmarks/gpu/torch_bench.py is PyTorch's, same shapes and
 * method). Training steps S1 = Linear(10,1), S2 = Linear(10,20)-ReLU-Linear(20,1), both batch 32,
 * S3 = 784-1024-ReLU-1024-ReLU-10 batch 256, each MSE + SGD lr 0.01; and sgemm 4096². Each case
 * warms up, then times {@code repeats} runs of {@code steps} steps, synchronising the device before
 * each clock read, and reports the median (and p10/p90) time per step. Prints one RESULT line per
 * case for benchmarks/gpu/run-gpu.sh. Like a PyTorch loop, steps never read the loss (no sync).
 */
public final class GpuBenchmark {
    private GpuBenchmark() {}

    public static void main(String[] args) {
        if (!Device.isCudaAvailable()) {
            System.err.println("no CUDA device: " + Device.cudaStatus());
            System.exit(2);
        }
        Device cuda = Device.cuda(0);
        Tensor.manualSeed(0);
        Tensor.zeros(cuda, 1).close(); // initialises the backend
        System.out.println("DEVICE " + CudaBackends.describe(0));
        train("S1", () -> new Linear(10, 1), 32, 10, 1, 500, 30, 100);
        train("S2", () -> new Sequential(new Linear(10, 20), new ReLU(), new Linear(20, 1)), 32, 10, 1, 500, 30, 100);
        train("S3", () -> new Sequential(new Linear(784, 1024), new ReLU(), new Linear(1024, 1024), new ReLU(),
                new Linear(1024, 10)), 256, 784, 10, 100, 30, 20);
        sgemm(4096, 5, 20, 5);
        System.out.println("POOL " + CudaBackends.memoryStats(0));
    }

    private static void train(String name, Supplier<Module> factory, int batch, int in, int out,
                              int warmup, int repeats, int steps) {
        Device cuda = Device.cuda(0);
        Module model = factory.get().to(cuda);
        Tensor x = Tensor.randn(batch, in).to(cuda);
        Tensor y = Tensor.randn(batch, out).to(cuda);
        SGD opt = new SGD(model.parameters(), 0.01f);
        MSELoss mse = new MSELoss();
        Runnable step = () -> {
            opt.zeroGrad();
            Tensor loss = mse.forward(model.forward(x), y);
            loss.backward();
            opt.step();
        };
        float before = mse.forward(model.forward(x), y).item();
        double[] ms = time(step, warmup, repeats, steps);
        float after = mse.forward(model.forward(x), y).item();
        report(name, ms, String.format(Locale.ROOT, "loss_before=%.6f loss_after=%.6f", before, after));
        System.out.println("POOL " + name + " " + CudaBackends.memoryStats(0));
    }

    private static void sgemm(int n, int warmup, int repeats, int steps) {
        Device cuda = Device.cuda(0);
        Tensor a = Tensor.randn(n, n).to(cuda);
        Tensor b = Tensor.randn(n, n).to(cuda);
        double[] ms;
        try (NoGrad g = NoGrad.enter()) {
            // close() each product, as PyTorch frees it when the name is rebound.
            ms = time(() -> a.matmul(b).close(), warmup, repeats, steps);
        }
        double tflops = 2.0 * n * n * n / (median(ms) * 1e-3) / 1e12;
        report("sgemm" + n, ms, String.format(Locale.ROOT, "tflops=%.2f", tflops));
    }

    /** Per-step milliseconds of each repeat. */
    private static double[] time(Runnable step, int warmup, int repeats, int steps) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        CudaBackends.synchronize(0);
        double[] ms = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            CudaBackends.synchronize(0);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                step.run();
            }
            CudaBackends.synchronize(0);
            ms[r] = (System.nanoTime() - t0) / 1e6 / steps;
        }
        return ms;
    }

    private static double median(double[] v) {
        return percentile(v, 50);
    }

    private static double percentile(double[] v, int p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.round(p / 100.0 * (s.length - 1)))];
    }

    private static void report(String name, double[] ms, String extra) {
        System.out.printf(Locale.ROOT, "RESULT impl=tensorj case=%s median_ms=%.4f p10_ms=%.4f p90_ms=%.4f %s%n",
                name, median(ms), percentile(ms, 10), percentile(ms, 90), extra);
    }
}
