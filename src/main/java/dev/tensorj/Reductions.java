package dev.tensorj;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;

/** Sums and means, and expand (the backward of a sum). */
final class Reductions {
    private Reductions() {}

    static Tensor sumAll(Tensor x) {
        DeviceBackend be = Dispatch.check("sum", DTypes.FLOAT32, x);
        Tensor out = Tensor.empty("sum", be, new int[0]);
        if (x.numel() == 0) {
            be.fill(out.storage(), 0f);
        } else {
            be.sumAxis(x.storage(), 1, x.numel(), 1, out.storage()); // may exceed 2^31 on a GPU
        }
        int[] shape = x.shape();
        Autograd.record(out, "sum", new Tensor[] {x}, Autograd.NOTHING_SAVED, g -> new Tensor[] {expand(g, shape)});
        return out;
    }

    static Tensor sum(Tensor x, int dim, boolean keepDim) {
        DeviceBackend be = Dispatch.check("sum", DTypes.FLOAT32, x);
        int[] s = x.shapeRef();
        if (s.length == 0) {
            Shapes.dim("sum", dim, 0);
            return sumAll(x);
        }
        int d = Shapes.dim("sum", dim, s.length);
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < d; i++) {
            outer *= s[i];
        }
        for (int i = d + 1; i < s.length; i++) {
            inner *= s[i];
        }
        int[] kept = s.clone();
        kept[d] = 1;
        Tensor out = Tensor.empty("sum", be, keepDim ? kept : drop(s, d));
        if (out.numel() > 0) {
            if (s[d] == 0) {
                be.fill(out.storage(), 0f);
            } else {
                be.sumAxis(x.storage(), outer, s[d], inner, out.storage());
            }
        }
        int[] shape = x.shape();
        Autograd.record(out, "sum", new Tensor[] {x}, Autograd.NOTHING_SAVED, g -> new Tensor[] {expand(g.reshape(kept), shape)});
        return out;
    }

    // A mean is a sum and a division; its own checks come first, so that errors name mean.
    static Tensor meanAll(Tensor x) {
        Dispatch.check("mean", DTypes.FLOAT32, x); // errors name mean, not the sum it is made of
        return sumAll(x).div((float) x.numel());
    }

    static Tensor mean(Tensor x, int dim, boolean keepDim) {
        Dispatch.check("mean", DTypes.FLOAT32, x);
        int d = Shapes.dim("mean", dim, x.dim());
        int n = x.dim() == 0 ? 1 : x.size(d);
        return sum(x, dim, keepDim).div((float) n);
    }

    /** {@code g} broadcast to {@code shape}: one binary kernel against a one-element zero. */
    static Tensor expand(Tensor g, int[] shape) {
        DeviceBackend be = Dispatch.check("expand", DTypes.FLOAT32, g);
        Tensor zero = Tensor.zeros(g.device());
        Tensor out = Tensor.empty("expand", be, shape);
        if (out.numel() > 0) {
            be.binary(BinaryOp.ADD, g.storage(), zero.storage(), out.storage(),
                    BroadcastPlan.of(shape, Shapes.broadcastStrides(g.shapeRef(), shape), new long[shape.length]));
        }
        zero.close();
        return out;
    }

    private static int[] drop(int[] s, int d) {
        int[] out = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != d) {
                out[j++] = s[i];
            }
        }
        return out;
    }
}
