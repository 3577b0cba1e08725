package dev.tensorj;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.Storage;

/**
 * {@code clamp} out of place, with scalar or tensor bounds (PyTorch's {@code clamp}, {@code clamp_min},
 * {@code clamp_max}), and the gradient rule that {@code clamp_} ({@link InPlace#clamp}) shares.
 * The value is {@code Math.min(Math.max(x, min), max)}: NaN (in x or a bound) gives NaN, and with
 * {@code min > max} every element becomes {@code max}, as in PyTorch.
 */
final class Clamp {
    private Clamp() {}

    /** {@code clamp(self, min, max)} for scalar bounds; an infinite bound on its own side does not bind. */
    static Tensor clamp(String op, Tensor self, float min, float max) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, self);
        Tensor out = Tensor.empty(op, be, self.shapeRef());
        if (out.numel() > 0) {
            kernels(be, self.storage(), min, max, out.storage());
        }
        Autograd.record(out, op, new Tensor[] {self}, new Tensor[] {self}, g -> {
            try (Tensor inside = inside(self, min, max)) {
                return new Tensor[] {passWhere(inside, g)};
            }
        });
        return out;
    }

    /**
     * Max with {@code min}, then min with {@code max}, from {@code in} into {@code out} (which may be
     * {@code in}). A bound that cannot bind costs no kernel: {@code Math.max(x, -inf)} and
     * {@code Math.min(x, +inf)} are {@code x} for every x, NaN and -0 included.
     */
    static void kernels(DeviceBackend be, Storage in, float min, float max, Storage out) {
        Storage src = in;
        if (min != Float.NEGATIVE_INFINITY) {
            be.binaryScalar(BinaryOp.MAXIMUM, in, min, out);
            src = out;
        }
        if (max != Float.POSITIVE_INFINITY || src == in) { // the second also copies when neither binds
            be.binaryScalar(BinaryOp.MINIMUM, src, max, out);
        }
    }

    /**
     * {@code clamp(self, min, max)} with tensor bounds, all three broadcast together; either bound
     * may be null (no bound), not both.
     */
    static Tensor clamp(Tensor self, Tensor min, Tensor max) {
        String op = "clamp";
        Dispatch.nonNull(op, "input", self);
        if (min == null && max == null) { // before the op is counted
            throw new IllegalArgumentException("clamp: at least one of min and max must be a tensor, both are null");
        }
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "input", self, Dispatch.optional("min"), min,
                Dispatch.optional("max"), max);
        int[] shape = self.shapeRef();
        shape = min == null ? shape : Shapes.broadcast(op, shape, min.shapeRef());
        shape = max == null ? shape : Shapes.broadcast(op, shape, max.shapeRef());
        Tensor out = Tensor.empty(op, be, shape);
        if (out.numel() > 0) {
            Tensor src = self;
            if (min != null) {
                be.binary(BinaryOp.MAXIMUM, self.storage(), min.storage(), out.storage(),
                        Shapes.plan(self.shapeRef(), min.shapeRef(), shape));
                src = out;
            }
            if (max != null) {
                be.binary(BinaryOp.MINIMUM, src.storage(), max.storage(), out.storage(),
                        Shapes.plan(src.shapeRef(), max.shapeRef(), shape));
            }
        }
        boolean toSelf = self.requiresGrad();
        boolean toMin = min != null && min.requiresGrad();
        boolean toMax = max != null && max.requiresGrad();
        Tensor[] saved = min == null ? new Tensor[] {self, max} : max == null ? new Tensor[] {self, min}
                : new Tensor[] {self, min, max};
        Autograd.record(out, op, new Tensor[] {self, min, max}, saved,
                g -> new Tensor[] {toSelf ? selfGrad(self, min, max, g) : null,
                    toMin ? minGrad(self, min, max, g) : null,
                    toMax ? maxGrad(self, min, max, g) : null});
        return out;
    }

    /**
     * The rule of every clamp: the gradient passes where {@code inside} holds ({@code min <= x <= max},
     * false for a NaN x), else 0. A select, not a product, so an infinite gradient outside the bounds
     * gives 0, not NaN.
     */
    static Tensor passWhere(Tensor inside, Tensor g) {
        try (Tensor zero = Tensor.zeros(g.device())) {
            return Comparisons.where(inside, g, zero);
        }
    }

    /** {@code min <= x <= max} for scalar bounds (bool). */
    static Tensor inside(Tensor x, float min, float max) {
        try (Tensor atLeast = x.ge(min); Tensor atMost = x.le(max)) {
            return atLeast.logicalAnd(atMost);
        }
    }

    private static Tensor selfGrad(Tensor x, Tensor min, Tensor max, Tensor g) {
        Tensor atLeast = min == null ? null : x.ge(min);
        Tensor atMost = max == null ? null : x.le(max);
        Tensor inside = atLeast == null ? atMost : atMost == null ? atLeast : atLeast.logicalAnd(atMost);
        try {
            return passWhere(inside, g);
        } finally {
            closeAll(inside, atLeast, atMost);
        }
    }

    /** PyTorch's clamp_backward_min_max: min takes g where {@code x < min}, if {@code min < max}. */
    private static Tensor minGrad(Tensor x, Tensor min, Tensor max, Tensor g) {
        Tensor below = x.lt(min);
        Tensor ordered = max == null ? null : min.lt(max);
        Tensor takes = ordered == null ? below : below.logicalAnd(ordered);
        try {
            return passWhere(takes, g);
        } finally {
            closeAll(takes, below, ordered);
        }
    }

    /** PyTorch's clamp_backward_min_max: max takes g where {@code x > max}, or everywhere {@code max < min}. */
    private static Tensor maxGrad(Tensor x, Tensor min, Tensor max, Tensor g) {
        Tensor above = x.gt(max);
        Tensor crossed = min == null ? null : max.lt(min);
        Tensor takes = crossed == null ? above : above.logicalOr(crossed);
        try {
            return passWhere(takes, g);
        } finally {
            closeAll(takes, above, crossed);
        }
    }

    private static void closeAll(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null) {
                t.close(); // closing a tensor twice is harmless
            }
        }
    }
}
