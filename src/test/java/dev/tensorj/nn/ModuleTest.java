package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tensorj.Device;
import dev.tensorj.LeakReport;
import dev.tensorj.Tensor;
import dev.tensorj.TensorClosedException;
import dev.tensorj.examples.TutorialModels;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleTest {

    @Test
    void registrationNamesParametersByPath() {
        TutorialModels.ComplexModel model = new TutorialModels.ComplexModel();
        assertEquals(List.of("linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias"),
                List.copyOf(model.namedParameters().keySet()));
        assertEquals(4, model.parameters().size());
        assertSame(model.linear1.weight(), model.parameters().get(0));
        assertTrue(model.parameters().stream().allMatch(Tensor::requiresGrad));
        assertEquals(List.of("linear1", "relu", "linear2"), List.copyOf(model.children().keySet()));
    }

    @Test
    void sequentialNamesItsModulesByIndex() {
        Sequential s = new Sequential(new Linear(784, 1024), new ReLU(), new Linear(1024, 10));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(s.namedParameters().keySet()));
        Tensor y = s.forward(Tensor.randn(3, 784));
        assertArrayEquals(new int[] {3, 10}, y.shape());
    }

    @Test
    void linearHasPyTorchLayoutAndInit() {
        Tensor.manualSeed(7);
        Linear l = new Linear(400, 30);
        assertArrayEquals(new int[] {30, 400}, l.weight().shape());
        assertArrayEquals(new int[] {30}, l.bias().shape());
        double bound = 1 / Math.sqrt(400);
        float[] w = l.weight().toFloatArray();
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        double sum = 0;
        for (float v : w) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        assertTrue(min >= -bound && max <= bound, "within ±1/√in: " + min + " " + max);
        // Uniform over the whole range: 12,000 samples reach close to both ends and centre near 0.
        assertTrue(min < -0.95 * bound && max > 0.95 * bound, "spans ±1/√in: " + min + " " + max);
        assertEquals(0, sum / w.length, 0.05 * bound);
        for (float v : l.bias().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
        assertEquals(null, new Linear(3, 2, false).bias());
    }

    @Test
    void seedMakesInitialisationReproducible() {
        Tensor.manualSeed(3);
        float[] a = new Linear(5, 4).weight().toFloatArray();
        Tensor.manualSeed(3);
        float[] b = new Linear(5, 4).weight().toFloatArray();
        assertArrayEquals(a, b);
    }

    @Test
    void trainAndEvalPropagateToChildren() {
        TutorialModels.ComplexModel model = new TutorialModels.ComplexModel();
        assertTrue(model.isTraining());
        Module same = model.eval();
        assertSame(model, same);
        assertFalse(model.linear1.isTraining());
        model.train();
        assertTrue(model.relu.isTraining());
    }

    @Test
    void registrationRejectsBadOrDuplicateNames() {
        class Bad extends Module {
            Bad(String first, String second) {
                register(first, new ReLU());
                register(second, new ReLU());
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Bad("a", "a"));
        assertThrows(IllegalArgumentException.class, () -> new Bad("a", "b.c"));
        assertThrows(IllegalArgumentException.class, () -> new Bad("", "b"));
    }

    @Test
    void lossNeedsATarget() {
        MSELoss loss = new MSELoss();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> loss.forward(Tensor.randn(2, 1)));
        assertTrue(e.getMessage().contains("forward(input, target)"));
    }

    // ---------------------------------------------------------------- to / train / eval keep the type

    @Test
    void toTrainAndEvalReturnTheModulesOwnType() {
        // Compiles only because Sequential.to returns Sequential (a Module has no get).
        var m = new Sequential(new Linear(2, 3), new ReLU()).to(Device.META);
        Linear first = (Linear) m.get(0);
        assertEquals(Device.META, first.weight().device());
        Sequential same = m.eval();
        assertSame(m, same);
        assertFalse(first.isTraining());
        Linear l = new Linear(2, 2).eval();
        assertFalse(l.isTraining());
        assertTrue(l.train().isTraining());
        ReLU r = new ReLU().to(Device.CPU).eval();
        assertFalse(r.isTraining());
        MSELoss loss = new MSELoss().eval().to(Device.META);
        assertFalse(loss.isTraining());
    }

    @Test
    void sequentialIndexesAsPyTorchDoes() {
        Linear a = new Linear(2, 3);
        ReLU b = new ReLU();
        Sequential s = new Sequential(a, b);
        assertSame(a, s.get(0));
        assertSame(b, s.get(1));
        assertSame(b, s.get(-1));
        assertSame(a, s.get(-2));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> s.get(2));
        assertTrue(e.getMessage().contains("index 2") && e.getMessage().contains("2 modules"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(-3));
    }

    private static final String IMPORTS = "import dev.tensorj.Device;\nimport dev.tensorj.Tensor;\n"
            + "import dev.tensorj.nn.Linear;\nimport dev.tensorj.nn.Module;\nimport dev.tensorj.nn.Sequential;\n";

    @TempDir
    Path classesOut;

    @Test
    void aUsersCodeWithTheRightTypesCompiles() throws IOException {
        // The control for the next test: the harness compiles user code against tensorj.
        List<Diagnostic<? extends JavaFileObject>> errors = compile("Ok", IMPORTS
                + "class Ok {\n"
                + "    void run(Device d) {\n"
                + "        var m = new Sequential(new Linear(2, 2)).to(d);\n"
                + "        Module first = m.get(0);\n"
                + "        Sequential s = m.eval().train();\n"
                + "        Linear l = new Linear(2, 2).to(d).eval();\n"
                + "        Module net = new Net().to(d);\n"
                + "    }\n"
                + "}\n"
                + "class Net extends Module {\n"
                + "    public Tensor forward(Tensor x) { return x; }\n"
                + "}\n");
        assertEquals(List.of(), messages(errors));
    }

    @Test
    void assigningAModuleToTheWrongTypeDoesNotCompile() throws IOException {
        List<Diagnostic<? extends JavaFileObject>> errors = compile("Wrong", IMPORTS
                + "class Wrong {\n"
                + "    Linear wrong = new Sequential(new Linear(2, 2)).eval();\n"
                + "}\n");
        assertIncompatibleTypesAtLine(errors, 7);
        // A user's module that does not override to() gets a Module back: honest, not a cast that may fail.
        errors = compile("UsesNet", IMPORTS
                + "class UsesNet {\n"
                + "    Net net = new Net().to(Device.CPU);\n"
                + "}\n"
                + "class Net extends Module {\n"
                + "    public Tensor forward(Tensor x) { return x; }\n"
                + "}\n");
        assertIncompatibleTypesAtLine(errors, 7);
    }

    private static void assertIncompatibleTypesAtLine(List<Diagnostic<? extends JavaFileObject>> errors, long line) {
        assertEquals(1, errors.size(), () -> messages(errors).toString());
        Diagnostic<? extends JavaFileObject> d = errors.get(0);
        assertEquals("compiler.err.prob.found.req", d.getCode(), d.toString());
        assertTrue(d.getMessage(Locale.ROOT).contains("incompatible types"), d.getMessage(Locale.ROOT));
        assertEquals(line, d.getLineNumber(), d.toString());
    }

    private static List<String> messages(List<Diagnostic<? extends JavaFileObject>> errors) {
        List<String> out = new ArrayList<>();
        errors.forEach(d -> out.add("line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT)));
        return out;
    }

    /** Compiles one source file against tensorj's classes; returns the errors. */
    private List<Diagnostic<? extends JavaFileObject>> compile(String className, String source)
            throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "these tests need a JDK");
        // Surefire may hide the classpath in a manifest-only jar: name tensorj's classes directly.
        String classpath = Path.of(URI.create(Module.class.getProtectionDomain().getCodeSource().getLocation()
                .toString())) + java.io.File.pathSeparator + System.getProperty("java.class.path");
        Path out = Files.createDirectories(classesOut.resolve(className));
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + className + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        javac.getTask(new StringWriter(), null, diagnostics,
                List.of("-classpath", classpath, "-d", out.toString(), "-proc:none"), null, List.of(file)).call();
        List<Diagnostic<? extends JavaFileObject>> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add(d);
            }
        }
        return errors;
    }

    // ---------------------------------------------------------------- to is all or nothing

    @Test
    void toMovesEveryParameterAndGradientKeepingTheTensors() {
        Tensor.manualSeed(5);
        TutorialModels.ComplexModel model = new TutorialModels.ComplexModel();
        model.forward(Tensor.randn(4, 10)).sum().backward();
        List<Tensor> params = model.parameters();
        model.to(Device.META);
        for (int i = 0; i < params.size(); i++) {
            Tensor p = model.parameters().get(i);
            assertSame(params.get(i), p);
            assertEquals(Device.META, p.device());
            assertTrue(p.requiresGrad() && p.isLeaf());
            assertEquals(Device.META, p.grad().device());
            assertArrayEquals(p.shape(), p.grad().shape());
        }
    }

    @Test
    void aFailedToLeavesEveryParameterWhereItWas() {
        assertToFailsAndChangesNothing(model -> model.linear2.weight().close(), "parameter");
        assertToFailsAndChangesNothing(model -> model.linear2.bias().grad().close(), "gradient");
    }

    /** Closes one tensor with {@code breakIt}, then checks that {@code to} throws and moved nothing. */
    private static void assertToFailsAndChangesNothing(Consumer<TutorialModels.ComplexModel> breakIt, String what) {
        Tensor.manualSeed(9);
        TutorialModels.ComplexModel model = new TutorialModels.ComplexModel();
        model.forward(Tensor.randn(4, 10)).sum().backward();
        breakIt.accept(model);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, float[]> grads = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
            if (!p.isClosed()) {
                values.put(name, p.toFloatArray());
            }
            if (!p.grad().isClosed()) {
                grads.put(name, p.grad().toFloatArray());
            }
        });
        long copiesLeft;
        LeakReport.setEnabled(true);
        try {
            long before = LeakReport.liveCount(Device.META);
            assertThrows(TensorClosedException.class, () -> model.to(Device.META), what);
            copiesLeft = LeakReport.liveCount(Device.META) - before;
        } finally {
            LeakReport.setEnabled(false);
        }
        model.namedParameters().forEach((name, p) -> {
            assertEquals(Device.CPU, p.device(), what + ": " + name + " stayed on cpu");
            assertEquals(Device.CPU, p.grad().device(), what + ": " + name + "'s gradient stayed on cpu");
            if (values.containsKey(name)) {
                assertArrayEquals(values.get(name), p.toFloatArray(), name);
            }
            if (grads.containsKey(name)) {
                assertArrayEquals(grads.get(name), p.grad().toFloatArray(), name);
            }
        });
        assertEquals(4, values.size() + (what.equals("parameter") ? 1 : 0));
        assertEquals(0, copiesLeft, what + ": the copies made before the failure were released");
    }

    // ---------------------------------------------------------------- zeroGrad

    @Test
    void zeroGradClearsEveryParametersGradientIncludingSubmodules() {
        Tensor.manualSeed(4);
        TutorialModels.ComplexModel model = new TutorialModels.ComplexModel();
        model.forward(Tensor.randn(3, 10)).square().sum().backward();
        assertTrue(model.parameters().stream().allMatch(p -> p.grad() != null));
        model.zeroGrad();
        for (Tensor p : model.parameters()) {
            assertNull(p.grad());
        }
        // The next backward starts from nothing rather than accumulating onto the old gradient.
        Tensor x = Tensor.randn(3, 10);
        model.forward(x).sum().backward();
        float[] once = model.linear1.weight().grad().toFloatArray();
        model.linear2.zeroGrad();
        assertNull(model.linear2.weight().grad());
        assertNotNull(model.linear1.weight().grad());
        model.zeroGrad();
        model.forward(x).sum().backward();
        assertArrayEquals(once, model.linear1.weight().grad().toFloatArray());
    }
}
