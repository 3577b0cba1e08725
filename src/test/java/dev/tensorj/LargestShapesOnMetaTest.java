package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A dimension holds up to {@code Integer.MAX_VALUE} elements, and the shape ops, products and
 * layers that check this accept that many exactly: one more is refused, that many is not. Checked
 * on the meta device, which allocates nothing ({@code 2^31 - 1} is prime, so only a size-1
 * dimension can accompany it).
 */
class LargestShapesOnMetaTest {
    private static final int MAX = Integer.MAX_VALUE;
    private static final Device META = Device.META;

    @Test
    void reshapeAndFlattenReachTheLargestDimension() {
        Tensor x = Tensor.zeros(META, MAX, 1);
        assertArrayEquals(new int[] {MAX}, x.reshape(-1).shape());
        assertArrayEquals(new int[] {1, MAX}, x.reshape(1, -1).shape());
        assertArrayEquals(new int[] {MAX}, x.flatten().shape());
    }

    @Test
    void catRepeatAndExpandReachTheLargestDimension() {
        assertArrayEquals(new int[] {MAX},
                Tensor.cat(List.of(Tensor.zeros(META, MAX - 1), Tensor.zeros(META, 1)), 0).shape());
        assertThrows(ShapeMismatchException.class,
                () -> Tensor.cat(List.of(Tensor.zeros(META, MAX), Tensor.zeros(META, 1)), 0));
        assertArrayEquals(new int[] {MAX}, Tensor.zeros(META, 1).repeat(MAX).shape());
        assertArrayEquals(new int[] {MAX, 3}, Tensor.zeros(META, 1, 3).expand(MAX, 3).shape());
    }

    @Test
    void productsAndLinearReachTheLargestBatchAndRowCount() {
        // a batch of 2^31 - 1 matrices, folded into one product or batched
        assertArrayEquals(new int[] {MAX, 1, 1}, Tensor.zeros(META, MAX, 1, 1).matmul(Tensor.zeros(META, 1, 1)).shape());
        assertArrayEquals(new int[] {MAX, 1, 1},
                Tensor.zeros(META, MAX, 1, 1).matmul(Tensor.zeros(META, MAX, 1, 1)).shape());
        // 2^31 - 1 rows of a linear layer
        assertArrayEquals(new int[] {MAX, 1, 3},
                Functional.linear(Tensor.zeros(META, MAX, 1, 2), Tensor.zeros(META, 3, 2), null).shape());
    }
}
