package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.nn.Linear;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** Shapes that cannot be combined are rejected with errors that name the op and every shape. */
class ShapeErrorTest {
    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should contain '" + p + "': " + e.getMessage());
        }
    }

    @ParameterizedTest
    @DevicesSource
    void matmulInnerDimensionsDiffer(Device device) {
        Tensor a = Tensor.randn(device, 2, 3);
        Tensor b = Tensor.randn(device, 4, 5);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> a.matmul(b));
        assertEquals("matmul", e.op());
        assertMentions(e, "[2, 3]", "[4, 5]");
        assertArrayEquals(new int[] {2, 3}, e.shapes().get(0));
        assertArrayEquals(new int[] {4, 5}, e.shapes().get(1));
    }

    @ParameterizedTest
    @DevicesSource
    void matmulRejectsZeroDimensions(Device device) {
        Tensor a = Tensor.randn(device, 2, 3, 4);
        Tensor s = Tensor.scalar(2f).to(device);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> a.matmul(s));
        assertEquals("matmul", e.op());
        assertMentions(e, "[2, 3, 4]", "[]", "at least 1 dimension");
        assertThrows(ShapeMismatchException.class, () -> s.matmul(a));
    }

    @ParameterizedTest
    @DevicesSource
    void elementwiseShapesThatDoNotBroadcast(Device device) {
        Tensor a = Tensor.randn(device, 3);
        Tensor b = Tensor.randn(device, 4);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> a.add(b));
        assertEquals("add", e.op());
        assertMentions(e, "[3]", "[4]");
        ShapeMismatchException m = assertThrows(ShapeMismatchException.class,
                () -> Tensor.randn(device, 2, 3).mul(Tensor.randn(device, 2)));
        assertEquals("mul", m.op());
    }

    @ParameterizedTest
    @DevicesSource
    void reshapeToAWrongCount(Device device) {
        Tensor x = Tensor.randn(device, 2, 3);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> x.reshape(4, 2));
        assertEquals("reshape", e.op());
        assertMentions(e, "[4, 2]", "[2, 3]");
        assertThrows(ShapeMismatchException.class, () -> x.reshape(-1, 4));
        assertThrows(ShapeMismatchException.class, () -> x.reshape(-1, -1));
    }

    @ParameterizedTest
    @DevicesSource
    void linearNamesTheExpectedInFeatures(Device device) {
        Linear layer = new Linear(3, 2).to(device);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> layer.forward(Tensor.randn(device, 5, 4)));
        assertEquals("linear", e.op());
        assertMentions(e, "3 in-features", "[5, 4]");
    }

    @ParameterizedTest
    @DevicesSource
    void mseLossRefusesToBroadcast(Device device) {
        Tensor input = Tensor.randn(device, 4, 1);
        Tensor target = Tensor.randn(device, 4);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> Functional.mseLoss(input, target));
        assertEquals("mse_loss", e.op());
        assertMentions(e, "[4, 1]", "[4]");
    }

    @Test
    void negativeDimensionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(Device.CPU, -3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(4, -2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.randn(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
        assertMentions(e, "-1");
    }

    @Test
    void negativeDimensionIsRejectedBeforeTouchingCuda() {
        // Validation comes first, so even an unusable CUDA device reports the shape problem.
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(Device.cuda(0), 2, -1));
    }
}
