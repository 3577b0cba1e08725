package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tensorj.junit.RequiresCuda;
import org.junit.jupiter.api.Test;

/**
 * A sum and a mean over one CUDA tensor past 2^31 elements, with values known exactly.
 *
 * <p>Opt-in ({@code -Dtensorj.test.huge=true}): the tensor is 8 GiB, which under the CPU emulation of
 * the driver is 8 GiB of host RAM, reduced by emulated kernels at CPU speed. LargeTensorTest checks
 * the same host path on the meta device in every run.
 */
class HugeCudaReductionTest {
    /** 2^31 + 256 floats (8 GiB + 1 KiB): past the int range by a count float represents exactly. */
    private static final long NUMEL = (1L << 31) + 256;

    @Test
    @RequiresCuda
    void sumAndMeanPastTwoToThe31Elements() {
        Device cuda = Device.cuda(0);
        assumeTrue(Boolean.getBoolean("tensorj.test.huge"), "8 GiB test: run with -Dtensorj.test.huge=true");
        int[] shape = {2, (int) (NUMEL / 2)};
        try (Tensor x = Tensor.full(cuda, 0.25f, shape)) {
            assertEquals(NUMEL, x.numel());
            // Exact in double and in float: 0.25·(2^31 + 256) = 2^29 + 64 (float spacing there is 64),
            // so an axis cut short by even 256 elements (or wrapped at 2^31) gives another float.
            double exact = 0.25 * NUMEL;
            assertEquals(536_870_976.0, exact);
            assertEquals((float) exact, x.sum().item(), "sum of " + NUMEL + " × 0.25");
            assertEquals(0.25f, x.mean().item(), "mean: (2^29 + 64) / (2^31 + 256)");
            // Each row: 0.25·(2^30 + 128) = 2^28 + 32, exact in float (spacing 32 there).
            float[] rows = x.sum(1, false).toFloatArray();
            assertEquals(2, rows.length);
            assertEquals(268_435_488f, rows[0]);
            assertEquals(268_435_488f, rows[1]);
            // The whole tensor cannot come to the host: a typed error, before any copy.
            HostArrayLimitException e = assertThrows(HostArrayLimitException.class, x::toFloatArray);
            assertEquals(NUMEL, e.numel());
        }
    }
}
