package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Tensors of 2^31 elements or more (8 GiB of floats: ordinary on a GPU). On the meta device, which
 * has shapes but no memory, reductions and losses over them must plan with 64-bit lengths; on the
 * cpu, and in host copies, they must fail with a typed error naming the op and the count.
 */
class LargeTensorTest {
    /** 2^31 + 1 elements as [3, 715827883]: one past the int range (a shape's dims are ints). */
    private static final int[] PAST_INT = {3, 715_827_883};
    private static final long PAST_INT_NUMEL = (1L << 31) + 1;

    @Test
    void theShapeIsPastTheIntRange() {
        assertEquals(PAST_INT_NUMEL, Tensor.zeros(Device.META, PAST_INT).numel());
    }

    @Test
    void sumAndMeanOfAllElementsPlanOnMeta() {
        Tensor x = Tensor.zeros(Device.META, PAST_INT);
        assertArrayEquals(new int[] {}, x.sum().shape());
        assertArrayEquals(new int[] {}, x.mean().shape());
    }

    @Test
    void sumsOverADimPlanOnMeta() {
        // outer × inner = 65536 × 32769 > 2^31 (the output itself is past the int range)
        Tensor wide = Tensor.zeros(Device.META, 65_536, 2, 32_769);
        assertArrayEquals(new int[] {65_536, 32_769}, wide.sum(1, false).shape());
        assertArrayEquals(new int[] {65_536, 1, 32_769}, wide.mean(1, true).shape());
        // a length of 2^31 - 1 (the longest a dim can be) under outer = 2: 2^32 - 2 elements read
        Tensor longRows = Tensor.zeros(Device.META, 2, Integer.MAX_VALUE);
        assertArrayEquals(new int[] {2}, longRows.sum(1, false).shape());
        assertArrayEquals(new int[] {Integer.MAX_VALUE}, longRows.sum(0, false).shape());
    }

    @Test
    void mseLossPlansOnMeta() {
        Tensor input = Tensor.zeros(Device.META, PAST_INT).requiresGrad(true);
        Tensor target = Tensor.zeros(Device.META, PAST_INT);
        Tensor loss = Functional.mseLoss(input, target);
        assertArrayEquals(new int[] {}, loss.shape());
        loss.backward();
        assertArrayEquals(PAST_INT, input.grad().shape());
    }

    @Test
    void cpuTensorsPastTheArrayLimitAreATypedErrorNamingTheOp() {
        expectHostLimit("full", PAST_INT_NUMEL, () -> Tensor.zeros(PAST_INT));
        expectHostLimit("randn", PAST_INT_NUMEL, () -> Tensor.randn(PAST_INT));
        // small operands, broadcast to 2^32 elements
        Tensor col = Tensor.zeros(65_536, 1);
        Tensor row = Tensor.zeros(1, 65_536);
        expectHostLimit("add", 1L << 32, () -> col.add(row));
    }

    @Test
    void hostCopiesOfMetaTensorsPastTheArrayLimitSayThereIsNoData() {
        // A meta tensor has nothing to copy, whatever its size: that error comes first (a cuda tensor
        // this large gets the HostArrayLimitException; HugeCudaReductionTest has 8 GiB ones, opt-in).
        Tensor x = Tensor.zeros(Device.META, PAST_INT);
        assertEquals("toFloatArray", assertThrows(MetaTensorReadException.class, x::toFloatArray).op());
        assertEquals("to", assertThrows(MetaTensorReadException.class, () -> x.to(Device.CPU)).op());
    }

    private static void expectHostLimit(String op, long numel, Executable call) {
        HostArrayLimitException e = assertThrows(HostArrayLimitException.class, call);
        assertEquals(op, e.op());
        assertEquals(numel, e.numel());
        assertTrue(e.getMessage().startsWith(op + ": ") && e.getMessage().contains(Long.toString(numel)),
                e.getMessage());
    }
}
