package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tensorj.junit.DevicesSource;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Every in-place op returns the tensor it wrote into, as PyTorch's trailing-underscore methods do,
 * so that calls chain: {@code t.mul_(2).add_(1)}. Values against exact references.
 */
class InPlaceReturnsSelfTest {

    @ParameterizedTest
    @DevicesSource
    void inPlaceOpsReturnTheirTensorAndChain(Device d) {
        Tensor t = Tensor.of(new float[] {1f, -2f, 4f}).to(d);
        Tensor two = Tensor.of(new float[] {2f, 2f, 2f}).to(d);
        Tensor row = Tensor.of(new float[] {1f, 0.5f, -1f}).to(d);
        assertSame(t, t.add_(row));           // 2, -1.5, 3
        assertSame(t, t.sub_(two));           // 0, -3.5, 1
        assertSame(t, t.mul_(two));           // 0, -7, 2
        assertSame(t, t.div_(row));           // 0, -14, -2
        assertArrayEquals(new float[] {0f, -14f, -2f}, t.toFloatArray());
        assertSame(t, t.add_(row, 2f));       // 2, -13, -4
        assertSame(t, t.add_(1f).sub_(0.5f).mul_(2f).div_(4f)); // 1.25, -6.25, -1.75
        assertArrayEquals(new float[] {1.25f, -6.25f, -1.75f}, t.toFloatArray());
        assertSame(t, t.clamp_(-2f, 1f));
        assertArrayEquals(new float[] {1f, -2f, -1.75f}, t.toFloatArray());
        assertSame(t, t.copy_(row));
        assertArrayEquals(new float[] {1f, 0.5f, -1f}, t.toFloatArray());
        assertSame(t, t.fill_(3f));
        assertArrayEquals(new float[] {3f, 3f, 3f}, t.toFloatArray());
        assertSame(t, t.zero_());
        assertArrayEquals(new float[] {0f, 0f, 0f}, t.toFloatArray());
    }
}
