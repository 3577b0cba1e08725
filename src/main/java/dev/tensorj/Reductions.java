package dev.tensorj;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;

/**
 * Reductions: sums and means (one dim, several, all), expand (the backward of a sum), and, composed
 * from those, the extremeAxis kernel and elementwise ops: max/min with indices, amax/amin,
 * argmax/argmin, var/std, logsumexp and norm. Several dims are reduced one at a time, each in place
 * as {@code [outer, len, inner]} (no transposing copy).
 */
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
        boolean recorded = Autograd.needsGraph(x);
        int[] kept = keepDim || recorded ? keptDim(s, d) : null; // not made for a backward's sums
        Tensor out = Tensor.empty("sum", be, keepDim ? kept : drop(s, d));
        if (out.numel() > 0) {
            if (s[d] == 0) {
                be.fill(out.storage(), 0f);
            } else {
                be.sumAxis(x.storage(), outer, s[d], inner, out.storage());
            }
        }
        if (!recorded) {
            return out; // a backward's sums (un-broadcasting) record nothing: no arrays nor rule to build
        }
        int[] shape = x.shapeRef();
        Autograd.record(out, "sum", new Tensor[] {x}, Autograd.NOTHING_SAVED, g -> {
            try (Tensor view = g.reshape(kept)) { // closed, or its reference would keep g's memory from reuse
                return new Tensor[] {expand(view, shape)};
            }
        });
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

    // ---------------------------------------------------------------- several dims, extremes, statistics

    /**
     * The sorted, normalised dims of {@code dims} for a tensor of {@code rank}; an empty array means
     * every dim, as PyTorch's {@code dim=[]} for sum and mean. Duplicates are rejected.
     */
    static int[] dims(String op, int[] dims, int rank) {
        Dispatch.nonNull(op, "dims", dims);
        if (dims.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int dim : dims) {
            int d = Shapes.dim(op, dim, rank);
            if (seen[d]) {
                throw new IllegalArgumentException(op + ": dim " + d + " appears multiple times in the list of dims");
            }
            seen[d] = true;
        }
        if (rank == 0) {
            return new int[0];
        }
        int n = 0;
        int[] out = new int[dims.length];
        for (int d = 0; d < rank; d++) {
            if (seen[d]) {
                out[n++] = d;
            }
        }
        return out;
    }

    /** {@code s} with the sorted {@code dims} set to 1 (keepDim) or removed. */
    static int[] reducedShape(int[] s, int[] dims, boolean keepDim) {
        boolean[] r = new boolean[s.length];
        for (int d : dims) {
            r[d] = true;
        }
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (!r[i] || keepDim) {
                n++;
            }
        }
        int[] out = new int[n];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (!r[i]) {
                out[j++] = s[i];
            } else if (keepDim) {
                out[j++] = 1;
            }
        }
        return out;
    }

    static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        Dispatch.check("sum", DTypes.FLOAT32, x);
        int[] ds = dims("sum", dims, x.dim());
        if (ds.length == 0) {
            return sumAll(x); // a 0-d input
        }
        // One dim at a time, each a recorded sum. The partial sums are ours: closed as soon as the
        // next step has read them (no sum saves its input; a graph keeps only their shapes), and the
        // last one once the result's view holds its memory.
        Tensor t = x;
        for (int i = ds.length - 1; i >= 0; i--) {
            Tensor partial = sum(t, ds[i], true);
            if (t != x) {
                t.close();
            }
            t = partial;
        }
        if (keepDim) {
            return t;
        }
        Tensor out = t.reshape(reducedShape(x.shapeRef(), ds, false));
        if (out != t) {
            t.close();
        }
        return out;
    }

    static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        Dispatch.check("mean", DTypes.FLOAT32, x);
        int[] ds = dims("mean", dims, x.dim());
        long n = 1;
        for (int d : ds) {
            n *= x.size(d);
        }
        return sum(x, dims, keepDim).div((float) n);
    }

    /** max or min along one dim: values, and INT64 indices that carry no gradient. */
    static Tensor.ValuesIndices extreme(String op, boolean max, Tensor x, int dim, boolean keepDim) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, x);
        int[] s = x.shapeRef();
        int d = Shapes.dim(op, dim, s.length);
        int[] xs = s.length == 0 ? new int[] {1} : s;
        if (xs[d] == 0) {
            throw new IllegalArgumentException(op + ": cannot reduce dimension " + dim
                    + " of size 0 (shape " + Shapes.str(s) + "): the reduction has no identity");
        }
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < d; i++) {
            outer *= xs[i];
        }
        for (int i = d + 1; i < xs.length; i++) {
            inner *= xs[i];
        }
        int[] kept = s.length == 0 ? new int[0] : xs.clone();
        if (s.length > 0) {
            kept[d] = 1;
        }
        int[] outShape = keepDim || s.length == 0 ? kept : drop(s, d);
        Tensor values = Tensor.empty(op, be, outShape);
        Tensor indices = Tensor.empty(op, be, DType.INT64, outShape);
        if (values.numel() > 0) {
            be.extremeAxis(max, x.storage(), outer, xs[d], inner, values.storage(), indices.storage());
        }
        if (Autograd.needsGraph(x)) {
            int[] shape = x.shape();
            int len = xs[d];
            int axis = d;
            Tensor idx = indices.detach();
            Autograd.record(values, op, new Tensor[] {x}, new Tensor[] {idx},
                    g -> new Tensor[] {scatterToIndex(g.reshape(kept), idx.reshape(kept), shape, axis, len)});
        }
        return new Tensor.ValuesIndices(values, indices);
    }

    /**
     * {@code g} (shaped as the input with {@code axis} of size 1) placed at {@code idx} along
     * {@code axis}, zero elsewhere: a one-hot from comparing idx against positions 0..len-1.
     */
    private static Tensor scatterToIndex(Tensor g, Tensor idx, int[] shape, int axis, int len) {
        if (shape.length == 0) {
            return g.mul(1f);
        }
        long[] pos = new long[len];
        for (int i = 0; i < len; i++) {
            pos[i] = i;
        }
        int[] ps = new int[shape.length];
        java.util.Arrays.fill(ps, 1);
        ps[axis] = len;
        Tensor positions = Tensor.of(pos, ps).to(g.device());
        Tensor mask = positions.eq(idx);
        Tensor zero = Tensor.zeros(g.device());
        Tensor out = expand(Comparisons.where(mask, g, zero), shape);
        return out;
    }

    static Tensor argExtreme(String op, boolean max, Tensor x, int dim, boolean keepDim) {
        Tensor.ValuesIndices r;
        try (NoGrad ignored = NoGrad.enter()) {
            r = extreme(op, max, x, dim, keepDim);
        }
        r.values().close();
        return r.indices();
    }

    static Tensor argExtremeAll(String op, boolean max, Tensor x) {
        Dispatch.check(op, DTypes.FLOAT32, x);
        if (x.numel() == 0) {
            throw new IllegalArgumentException(op + ": cannot reduce an empty tensor (shape "
                    + Shapes.str(x.shapeRef()) + ")");
        }
        return argExtreme(op, max, x.reshape(-1), 0, false);
    }

    /**
     * amax or amin over {@code dims} (empty: all). The gradient is shared evenly among the elements
     * equal to the result, as PyTorch's amax/amin.
     */
    static Tensor amaxmin(String op, boolean max, Tensor x, int[] dims, boolean keepDim) {
        Dispatch.check(op, DTypes.FLOAT32, x);
        int[] ds = dims(op, dims, x.dim());
        int[] s = x.shapeRef();
        requireNonEmpty(op, s, ds);
        // Every tensor made here but the result is ours, closed once read (a detached alias's close
        // drops only the alias's hold on x's memory).
        Tensor t;
        try (NoGrad ignored = NoGrad.enter()) {
            t = x.detach();
            for (int i = ds.length - 1; i >= 0; i--) {
                Tensor.ValuesIndices r = extreme(op, max, t, ds[i], true);
                r.indices().close();
                t.close();
                t = r.values();
            }
            if (ds.length == 0) {
                Tensor copy = t.mul(1f); // a 0-d input: a copy
                t.close();
                t = copy;
            }
        }
        int[] kept = reducedShape(s, ds, true);
        Tensor out = keepDim ? t : t.reshape(reducedShape(s, ds, false));
        if (Autograd.needsGraph(x)) {
            int[] shape = x.shape();
            Tensor res = t.detach();
            Autograd.record(out, op, new Tensor[] {x}, new Tensor[] {x, res}, g -> {
                Tensor mask;
                try (Tensor xd = x.detach(); Tensor hit = xd.eq(res)) {
                    mask = hit.to(DType.FLOAT32);
                }
                Tensor gk = g.reshape(kept);
                try (mask; Tensor count = sum(mask, ds, true); Tensor share = gk.div(count);
                        Tensor spread = expand(share, shape)) {
                    return new Tensor[] {spread.mul(mask)};
                } finally {
                    closeView(gk, g);
                }
            });
            res.close(); // saved: freed once the node's backward has run
        }
        if (out != t) {
            t.close(); // the result's view holds the memory
        }
        return out;
    }

    /**
     * The variance over {@code dims} (empty: all), two-pass (mean first); divisor N - 1 when
     * {@code unbiased}, else N, so N = 1 unbiased and N = 0 give NaN, as PyTorch. Errors name {@code op}.
     */
    /** Rejects a reduction without identity (max, min) over a dim of size 0. */
    private static void requireNonEmpty(String op, int[] s, int[] ds) {
        for (int d : ds) {
            if (s[d] == 0) {
                throw new IllegalArgumentException(op + ": cannot reduce dimension " + d
                        + " of size 0 (shape " + Shapes.str(s) + "): the reduction has no identity");
            }
        }
    }

    static Tensor var(String op, Tensor x, int[] dims, boolean unbiased, boolean keepDim) {
        Dispatch.check(op, DTypes.FLOAT32, x);
        int[] ds = dims(op, dims, x.dim());
        long n = 1;
        for (int d : ds) {
            n *= x.size(d);
        }
        Tensor centred = x.sub(mean(x, ds, true)); // two passes
        long divisor = Math.max(0, n - (unbiased ? 1 : 0));
        return sum(centred.mul(centred), ds, keepDim).div((float) divisor);
    }

    /**
     * The square root of {@link #var}; its gradient is 0 where the result is 0 (a constant group),
     * as PyTorch's {@code std_backward}, where the chain rule alone would give 0 · inf = NaN.
     */
    static Tensor std(Tensor x, int[] dims, boolean unbiased, boolean keepDim) {
        Tensor v = var("std", x, dims, unbiased, keepDim);
        Tensor out;
        try (NoGrad ignored = NoGrad.enter()) {
            out = v.sqrt();
        }
        if (Autograd.needsGraph(v)) {
            Tensor res = out.detach();
            Autograd.record(out, "std", new Tensor[] {v}, new Tensor[] {res},
                    g -> new Tensor[] {g.div(res.mul(2f)).maskedFill(res.eq(0f), 0f)});
        }
        return out;
    }

    /**
     * log Σ exp over {@code dims} (empty: all), with the group's finite maximum subtracted first
     * (PyTorch's rule for infinities); an empty group gives -inf.
     */
    static Tensor logsumexp(Tensor x, int[] dims, boolean keepDim) {
        Dispatch.check("logsumexp", DTypes.FLOAT32, x);
        int[] ds = dims("logsumexp", dims, x.dim());
        Tensor m;
        try (NoGrad ignored = NoGrad.enter()) {
            if (x.numel() == 0) { // no maximum to take; the shift is irrelevant
                m = Tensor.zeros(x.device(), reducedShape(x.shapeRef(), ds, true));
            } else {
                m = amaxmin("logsumexp", true, x, ds, true);
                m = m.maskedFill(m.isinf(), 0f);
            }
        }
        Tensor lse = sum(x.sub(m).exp(), ds, true).log().add(m);
        return keepDim ? lse : lse.reshape(reducedShape(x.shapeRef(), ds, false));
    }

    /**
     * The p-norm over {@code dims} (empty: all), as PyTorch's {@code linalg.vector_norm}: inf is the
     * largest |x|, -inf the smallest, 0 the count of nonzeros (gradient 0), any other p
     * {@code (Σ |x|^p)^(1/p)}. A NaN p is rejected.
     */
    static Tensor norm(Tensor x, double p, int[] dims, boolean keepDim) {
        Dispatch.check("norm", DTypes.FLOAT32, x);
        if (Double.isNaN(p)) {
            throw new IllegalArgumentException("norm: p must be a number or ±inf, got NaN");
        }
        int[] ds = dims("norm", dims, x.dim()); // every check before the first allocation (abs)
        if (Double.isInfinite(p)) {
            requireNonEmpty("norm", x.shapeRef(), ds);
            Tensor magnitudes = x.abs();
            try {
                return amaxmin("norm", p > 0, magnitudes, ds, keepDim);
            } finally {
                magnitudes.close(); // when the max's node saved it, freed once that node's backward ran
            }
        }
        if (p == 0) {
            Tensor out;
            try (NoGrad ignored = NoGrad.enter(); Tensor nonzero = x.ne(0f); Tensor ones = nonzero.to(DType.FLOAT32)) {
                out = sum(ones, ds, keepDim); // NaN counts as nonzero, as PyTorch
            }
            int[] shape = x.shape();
            Autograd.record(out, "norm", new Tensor[] {x}, Autograd.NOTHING_SAVED,
                    g -> new Tensor[] {Tensor.zeros(g.device(), shape)}); // piecewise constant, as PyTorch
            return out;
        }
        if (p == 1) {
            Tensor magnitudes = x.abs();
            Tensor out = sum(magnitudes, ds, keepDim);
            closeIfUngraphed(out, magnitudes);
            return out;
        }
        if (p == 2) {
            Tensor out;
            try (NoGrad ignored = NoGrad.enter(); Tensor squares = x.mul(x); Tensor sumOfSquares = sum(squares, ds, keepDim)) {
                out = sumOfSquares.sqrt();
            }
            if (Autograd.needsGraph(x)) {
                int[] kept = reducedShape(x.shapeRef(), ds, true);
                Tensor res = out.detach();
                Autograd.record(out, "norm", new Tensor[] {x}, new Tensor[] {x, res}, g -> {
                    Tensor r = res.reshape(kept);
                    Tensor gk = g.reshape(kept);
                    try (Tensor xd = x.detach(); Tensor atZero = r.eq(0f); Tensor ratio = gk.div(r);
                            Tensor scale = ratio.maskedFill(atZero, 0f)) { // 0 at a zero norm, as PyTorch
                        return new Tensor[] {xd.mul(scale)};
                    } finally {
                        closeView(r, res);
                        closeView(gk, g);
                    }
                });
                res.close(); // saved: freed once the node's backward has run
            }
            return out;
        }
        Tensor magnitudes = x.abs();
        Tensor powers = magnitudes.pow((float) p);
        Tensor sum = sum(powers, ds, keepDim);
        Tensor out = sum.pow((float) (1.0 / p));
        closeIfUngraphed(out, magnitudes, powers, sum);
        return out;
    }

    /** Closes {@code view} unless it is {@code base} itself (a reshape to the same shape), which is not ours. */
    private static void closeView(Tensor view, Tensor base) {
        if (view != base) {
            view.close();
        }
    }

    /**
     * Closes a composite op's intermediates when {@code out} recorded no graph, so that their memory
     * is reused at once rather than after a collection; in a graph they stay, inputs of its nodes.
     */
    private static void closeIfUngraphed(Tensor out, Tensor... intermediates) {
        if (out.isLeaf()) {
            for (Tensor t : intermediates) {
                t.close();
            }
        }
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

    /** {@code s} with dimension {@code d} of size 1. */
    private static int[] keptDim(int[] s, int d) {
        int[] kept = s.clone();
        kept[d] = 1;
        return kept;
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
