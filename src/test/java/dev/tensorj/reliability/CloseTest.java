package dev.tensorj.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.TensorClosedException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** close() is idempotent; any use afterwards is a clear exception naming the op. */
class CloseTest {

    @Test
    void doubleCloseIsANoOp() {
        Tensor t = Tensor.randn(3, 3);
        t.close();
        t.close();
        assertTrue(t.isClosed());
        try (Tensor u = Tensor.ones(2)) {
            u.close(); // and again by try-with-resources
        }
    }

    static Stream<Arguments> uses() {
        return Stream.of(
                use("add", t -> t.add(Tensor.ones(2, 2))),
                use("add", t -> Tensor.ones(2, 2).add(t)),
                use("matmul", t -> t.matmul(t)),
                use("relu", Tensor::relu),
                use("sum", Tensor::sum),
                use("reshape", t -> t.reshape(4)),
                use("t", Tensor::t),
                use("item", t -> t.sum().item()),
                use("toFloatArray", Tensor::toFloatArray),
                use("to", t -> t.to(Device.META)),
                use("detach", Tensor::detach));
    }

    private static Arguments use(String op, Consumer<Tensor> call) {
        return Arguments.of(op, call);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("uses")
    void useAfterCloseThrowsAndNamesTheOp(String op, Consumer<Tensor> call) {
        Tensor t = Tensor.randn(2, 2);
        t.close();
        TensorClosedException e = assertThrows(TensorClosedException.class, () -> call.accept(t));
        String expectedOp = op.equals("item") ? "sum" : op;
        assertEquals(expectedOp, e.op());
        assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("cpu"), e.getMessage());
    }

    @Test
    void aViewOutlivesTheTensorItWasMadeFrom() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor view = a.reshape(4);
        a.close();
        assertArrayEquals(new float[] {1, 2, 3, 4}, view.toFloatArray());
        view.close();
        assertThrows(TensorClosedException.class, view::toFloatArray);
    }

    /** Closing is Python's {@code del}: the graph keeps what it saved until its backward has run. */
    @Test
    void closingAnInputSavedForBackwardKeepsItUntilTheBackward() {
        Tensor w = Tensor.randn(3).requiresGrad(true);
        Tensor x = Tensor.randn(3);
        float[] xs = x.toFloatArray();
        Tensor loss = w.mul(x).sum();
        x.close();
        assertTrue(x.isClosed());
        loss.backward();
        assertArrayEquals(xs, w.grad().toFloatArray(), "d(w·x)/dw = x, read from the closed x the graph kept");
        TensorClosedException e = assertThrows(TensorClosedException.class, x::toFloatArray);
        assertEquals("toFloatArray", e.op());
    }
}
