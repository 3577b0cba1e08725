package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.examples.TutorialModels;
import dev.tensorj.junit.Placement;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every multi-tensor op, module and optimizer rejects operands on different devices before
 * anything is computed or allocated. Without a GPU the second device is {@code meta}; the same
 * rules hold for cuda (run on a GPU machine by the CUDA suite).
 */
class PlacementTest {

    private static Tensor cpu(int... shape) {
        return Tensor.randn(shape);
    }

    private static Tensor meta(int... shape) {
        return Tensor.randn(Device.META, shape);
    }

    /** Op name, the roles the error must name, and a setup that creates the inputs and returns the call. */
    static Stream<Arguments> mixedOps() {
        return Stream.of(
                op("add", List.of("input", "other"), () -> {
                    Tensor a = cpu(2, 3), b = meta(2, 3);
                    return () -> a.add(b);
                }),
                op("sub", List.of("input", "other"), () -> {
                    Tensor a = meta(2, 3), b = cpu(3);
                    return () -> a.sub(b);
                }),
                op("mul", List.of("input", "other"), () -> {
                    Tensor a = cpu(2, 3), b = meta(); // a 0-d operand is no exception (stricter than PyTorch)
                    return () -> a.mul(b);
                }),
                op("div", List.of("input", "other"), () -> {
                    Tensor a = cpu(), b = meta(2, 3);
                    return () -> a.div(b);
                }),
                op("matmul", List.of("input", "other"), () -> {
                    Tensor a = cpu(2, 3), b = meta(3, 4);
                    return () -> a.matmul(b);
                }),
                op("matmul", List.of("input", "other"), () -> {
                    Tensor a = meta(3), b = cpu(3);
                    return () -> a.matmul(b);
                }),
                op("linear", List.of("input", "weight", "bias"), () -> {
                    Tensor x = cpu(4, 3), w = meta(2, 3), b = meta(2);
                    return () -> Functional.linear(x, w, b);
                }),
                op("linear", List.of("input", "weight", "bias"), () -> {
                    Tensor x = cpu(4, 3), w = cpu(2, 3), b = meta(2);
                    return () -> Functional.linear(x, w, b);
                }),
                op("mse_loss", List.of("input", "target"), () -> {
                    Tensor x = meta(4, 1), y = cpu(4, 1);
                    return () -> Functional.mseLoss(x, y);
                }),
                op("backward", List.of("self", "gradient"), () -> {
                    Tensor x = cpu(3).requiresGrad(true);
                    Tensor y = x.mul(2f);
                    Tensor g = meta(3);
                    return () -> y.backward(g, false);
                }));
    }

    private static Arguments op(String name, List<String> roles, Supplier<Executable> setup) {
        return Arguments.of(name, roles, setup);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("mixedOps")
    void mixedDevicesAreRejectedBeforeAnyWork(String op, List<String> roles, Supplier<Executable> setup) {
        Executable call = setup.get();
        DeviceMismatchException e = rejectedBeforeAnyWork(call);

        assertEquals(op, e.op());
        assertEquals(roles, e.roles());
        assertTrue(e.devices().contains(Device.CPU) && e.devices().contains(Device.META), e.devices().toString());
        assertTrue(e.getMessage().startsWith(op + ": expected all tensors on one device, got "), e.getMessage());
        assertTrue(e.getMessage().contains("move them with .to("), e.getMessage());
    }

    /** What {@code call} throws, having allocated and launched nothing on cpu or meta first. */
    private static DeviceMismatchException rejectedBeforeAnyWork(Executable call) {
        DeviceMismatchException[] e = new DeviceMismatchException[1];
        Placement p = Placement.of(() -> e[0] = assertThrows(DeviceMismatchException.class, call));
        for (Device d : List.of(Device.CPU, Device.META)) {
            assertEquals(0, p.on(d).allocations() + p.on(d).launches(), d + " work before the check: " + p);
        }
        return e[0];
    }

    @Test
    void messageNamesEachRoleAndDeviceInOrder() {
        Tensor x = cpu(4, 3);
        Tensor w = meta(2, 3);
        DeviceMismatchException e = assertThrows(DeviceMismatchException.class, () -> Functional.linear(x, w, null));
        assertEquals("linear: expected all tensors on one device, got cpu (input) and meta (weight); "
                + "move them with .to(cpu)", e.getMessage());
        assertEquals(List.of(Device.CPU, Device.META), e.devices());
    }

    @Test
    void moduleForwardWithInputOnAnotherDeviceIsRejected() {
        Module model = new Sequential(new Linear(10, 20), new ReLU(), new Linear(20, 1)).to(Device.META);
        Tensor input = cpu(32, 10);
        DeviceMismatchException e = rejectedBeforeAnyWork(() -> model.forward(input));
        assertEquals("linear", e.op());
        assertEquals(List.of(Device.CPU, Device.META, Device.META), e.devices());
    }

    @Test
    void moduleWithMixedParametersIsRejected() {
        TutorialModels.ComplexModel model = new TutorialModels.ComplexModel();
        // Move only the second layer: the tutorial's "forgot part of the model" mistake.
        model.children().get("linear2").to(Device.META);
        Tensor input = cpu(32, 10);
        DeviceMismatchException e = assertThrows(DeviceMismatchException.class, () -> model.forward(input));
        assertEquals("linear", e.op());
        assertEquals(List.of("input", "weight", "bias"), e.roles());
        assertEquals(List.of(Device.CPU, Device.META, Device.META), e.devices());
    }

    @Test
    void lossWithTargetOnAnotherDeviceIsRejected() {
        Tensor out = cpu(32, 1);
        Tensor target = meta(32, 1);
        DeviceMismatchException e = assertThrows(DeviceMismatchException.class,
                () -> new MSELoss().forward(out, target));
        assertEquals(List.of("input", "target"), e.roles());
    }

    @Test
    void optimizerStateFollowsAModelMovedAfterItsFirstStep() {
        Linear model = new Linear(3, 2);
        SGD sgd = new SGD(model.parameters(), 0.1f, 0.9f);
        Tensor x = cpu(5, 3);
        model.forward(x).sum().backward();
        sgd.step(); // momentum buffers now live on cpu

        // Moving the model after the optimizer created its state on the old device.
        model.to(Device.META);
        sgd.zeroGrad();
        model.forward(x.to(Device.META)).sum().backward();
        Placement.of(sgd::step).assertOpsOnlyOn(Device.META); // the buffers move to meta with their parameters
    }

    @Test
    void optimizerStepWithAGradientOnAnotherDeviceIsRejectedAndChangesNothing() {
        Linear a = new Linear(3, 2);
        Linear b = new Linear(3, 2);
        SGD sgd = new SGD(List.of(a.weight(), b.weight()), 0.1f, 0.9f);
        a.forward(cpu(4, 3)).sum().backward();
        b.forward(cpu(4, 3)).sum().backward();
        sgd.step();
        // The second parameter's data moves without its gradient; the first is fine.
        b.weight().setData(meta(2, 3));
        float[] before = a.weight().toFloatArray();
        DeviceMismatchException e = rejectedBeforeAnyWork(sgd::step);
        assertEquals("sgd.step", e.op());
        assertEquals(List.of("param", "grad"), e.roles());
        assertEquals(List.of(Device.META, Device.CPU), e.devices());
        assertArrayEquals(before, a.weight().toFloatArray(), "the valid first parameter was not updated either");
    }

    @Test
    void moduleToMovesParametersInPlaceSoAnOptimizerBuiltBeforeKeepsWorking() {
        TutorialModels.SimpleModel model = new TutorialModels.SimpleModel();
        List<Tensor> params = model.parameters();
        SGD sgd = new SGD(params, 0.01f);
        Module moved = model.to(Device.META);
        assertSame(model, moved);
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
            assertEquals(Device.META, p.getValue().device(), p.getKey());
        }
        assertSame(params.get(0), model.parameters().get(0), "same tensor objects");
        Tensor loss = new MSELoss().forward(model.forward(meta(32, 10)), meta(32, 1));
        loss.backward();
        sgd.step(); // runs on meta, shapes only
        assertEquals(Device.META, params.get(0).grad().device());
        assertArrayEquals(new int[] {1, 10}, params.get(0).grad().shape());
    }

    @Test
    void toReturnsTheSameTensorWhenAlreadyThere() {
        Tensor x = cpu(2, 2);
        assertSame(x, x.to(Device.CPU));
        Tensor m = x.to(Device.META);
        assertEquals(Device.META, m.device());
        assertSame(m, m.to(Device.META));
        assertNull(m.grad());
    }
}
