package dev.tensorj;

import dev.tensorj.backend.BroadcastPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The shape ops that copy (tensors here are contiguous, with no strided views): permute,
 * transpose(d0, d1), expand, repeat, narrow, select, slice, cat, stack, split and chunk, all through one
 * backend call, {@code stridedCopy}. Every dtype moves; gradients (float32) are the matching copy
 * back: a region is written back into zeros of the input's shape ({@link #embed}).
 */
final class ShapeCopies {
    private ShapeCopies() {}

    /**
     * A new contiguous tensor of {@code shape}: element {@code idx} is
     * {@code x[srcOffset + idx·srcStrides]}. Its gradient writes back the same region ({@link #embed}),
     * unless {@code rule} is given.
     */
    private static Tensor gather(String op, DeviceBackend be, Tensor x, int[] shape, long srcOffset, long[] srcStrides,
            GradFn.Rule rule) {
        Tensor out = Tensor.empty(op, be, x.dtype(), shape);
        if (out.numel() > 0) {
            be.stridedCopy(x.storage(), srcOffset, out.storage(), 0,
                    BroadcastPlan.of(shape, srcStrides, Shapes.strides(shape)));
        }
        int[] inShape = x.shape();
        GradFn.Rule r = rule != null ? rule
                : g -> new Tensor[] {embed(op + "_backward", g, inShape, srcOffset, srcStrides)};
        Autograd.record(out, op, new Tensor[] {x}, Autograd.NOTHING_SAVED, r);
        return out;
    }

    /**
     * Zeros of {@code shape} with {@code g} written at {@code dstOffset + idx·dstStrides}: the
     * gradient of a {@link #gather} of that region.
     */
    static Tensor embed(String op, Tensor g, int[] shape, long dstOffset, long[] dstStrides) {
        DeviceBackend be = Dispatch.check(op, DTypes.ANY, g);
        Tensor out = Tensor.zeroed(op, be, g.dtype(), shape);
        if (g.numel() > 0) {
            be.stridedCopy(g.storage(), 0, out.storage(), dstOffset,
                    BroadcastPlan.of(g.shapeRef(), Shapes.strides(g.shapeRef()), dstStrides));
        }
        return out; // not recorded: backward runs without grad mode, so no gradient of a gradient is taken
    }

    // ---------------------------------------------------------------- permute, transpose, expand

    static Tensor permute(Tensor x, int[] dims) {
        Dispatch.nonNull("permute", "dims", dims);
        DeviceBackend be = Dispatch.check("permute", DTypes.ANY, x);
        int rank = x.dim();
        int[] s = x.shapeRef();
        if (dims.length != rank) {
            throw new ShapeMismatchException("permute", "dims " + Arrays.toString(dims) + " name " + dims.length
                    + " dimensions but the input of shape " + Shapes.str(s) + " has " + rank, s);
        }
        int[] perm = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int d = Shapes.dim("permute", dims[i], rank);
            if (seen[d]) {
                throw new IllegalArgumentException("permute: dimension " + d + " repeats in dims "
                        + Arrays.toString(dims) + " (input of shape " + Shapes.str(s) + ")");
            }
            seen[d] = true;
            perm[i] = d;
        }
        long[] in = Shapes.strides(s);
        int[] shape = new int[rank];
        long[] strides = new long[rank];
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = s[perm[i]];
            strides[i] = in[perm[i]];
            inverse[perm[i]] = i;
        }
        return gather("permute", be, x, shape, 0, strides, g -> new Tensor[] {g.permute(inverse)});
    }

    static Tensor transpose(Tensor x, int dim0, int dim1) {
        Dispatch.check("transpose", DTypes.ANY, x);
        int rank = x.dim();
        int d0 = Shapes.dim("transpose", dim0, rank);
        int d1 = Shapes.dim("transpose", dim1, rank);
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i == d0 ? d1 : i == d1 ? d0 : i;
        }
        return permute(x, perm);
    }

    static Tensor expand(Tensor x, int[] sizes) {
        Dispatch.nonNull("expand", "sizes", sizes);
        DeviceBackend be = Dispatch.check("expand", DTypes.ANY, x);
        int[] s = x.shapeRef();
        if (sizes.length < s.length) {
            throw new ShapeMismatchException("expand", "sizes " + Arrays.toString(sizes) + " have fewer dimensions ("
                    + sizes.length + ") than the input of shape " + Shapes.str(s), s);
        }
        int lead = sizes.length - s.length;
        int[] shape = new int[sizes.length];
        long[] own = Shapes.strides(s);
        long[] strides = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            int want = sizes[i];
            if (i < lead) {
                if (want < 0) {
                    throw new IllegalArgumentException("expand: size " + want + " for new leading dimension " + i
                            + " in " + Arrays.toString(sizes) + " (input of shape " + Shapes.str(s) + "); -1 keeps "
                            + "an existing dimension only");
                }
                shape[i] = want;
                strides[i] = 0;
                continue;
            }
            int have = s[i - lead];
            if (want == -1 || want == have) {
                shape[i] = have;
                strides[i] = own[i - lead];
            } else if (have == 1 && want >= 0) {
                shape[i] = want;
                strides[i] = 0;
            } else {
                throw new ShapeMismatchException("expand", "cannot expand shape " + Shapes.str(s) + " to "
                        + Arrays.toString(sizes) + ": dimension " + i + " is " + have + ", which only a size 1 can "
                        + "expand, to " + want, s, sizes.clone());
            }
        }
        Shapes.numel("expand", shape);
        // The gradient: the output's, summed back over the stretched dimensions by Autograd.
        return gather("expand", be, x, shape, 0, strides, g -> new Tensor[] {g});
    }

    /**
     * Tiles, as PyTorch's {@code repeat}: the output, viewed as {@code [r0, s0, r1, s1, ...]}, is
     * one strided copy that reads the input with stride 0 over the tile dims; the gradient sums the
     * tiles (over those dims of the output's gradient in that view).
     */
    static Tensor repeat(Tensor x, int[] repeats) {
        Dispatch.nonNull("repeat", "repeats", repeats);
        Device device = Dispatch.sameDevice("repeat", "input", x); // any dtype; counted once repeats are known good
        int[] s = x.shapeRef();
        int m = repeats.length;
        if (m < s.length) {
            throw new ShapeMismatchException("repeat", "repeats " + Arrays.toString(repeats) + " have fewer dimensions ("
                    + m + ") than the input of shape " + Shapes.str(s), s);
        }
        int lead = m - s.length;
        long[] own = Shapes.strides(s);
        int[] view = new int[2 * m];
        long[] strides = new long[2 * m];
        int[] shape = new int[m];
        int[] tiles = new int[m];
        for (int d = 0; d < m; d++) {
            int size = d < lead ? 1 : s[d - lead];
            long out = (long) repeats[d] * size;
            if (repeats[d] < 0 || out > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("repeat: repeats " + Arrays.toString(repeats) + " for the input of shape "
                        + Shapes.str(s) + ": " + (repeats[d] < 0 ? "a repeat is negative"
                                : "dimension " + d + " would be " + out + ", more than a dimension holds"));
            }
            view[2 * d] = repeats[d];
            view[2 * d + 1] = size;
            strides[2 * d + 1] = d < lead ? 0 : own[d - lead];
            shape[d] = (int) out;
            tiles[d] = 2 * d;
        }
        Shapes.numel("repeat", shape);
        DeviceBackend be = Backends.forOp(device);
        int[] inShape = x.shape();
        Tensor tiled = gather("repeat", be, x, view, 0, strides, g -> new Tensor[] {g.sum(tiles, false).reshape(inShape)});
        return tiled.reshape(shape);
    }

    // ---------------------------------------------------------------- narrow, select, slice

    static Tensor narrow(Tensor x, int dim, int start, int length) {
        DeviceBackend be = Dispatch.check("narrow", DTypes.ANY, x);
        int[] s = x.shapeRef();
        if (s.length == 0) {
            throw new IllegalArgumentException("narrow: a 0-d tensor has no dimension to narrow");
        }
        int d = Shapes.dim("narrow", dim, s.length);
        int size = s[d];
        long st = start < 0 ? (long) start + size : start;
        if (st < 0 || st > size) {
            throw new IllegalArgumentException("narrow: start " + start + " out of range for dimension " + d
                    + " of size " + size + " (shape " + Shapes.str(s) + ")");
        }
        if (length < 0 || st + length > size) {
            throw new IllegalArgumentException("narrow: start " + start + " + length " + length + " exceeds dimension "
                    + d + " of size " + size + " (shape " + Shapes.str(s) + ")");
        }
        return region("narrow", be, x, d, st, length, 1, false);
    }

    static Tensor select(Tensor x, int dim, int index) {
        DeviceBackend be = Dispatch.check("select", DTypes.ANY, x);
        int[] s = x.shapeRef();
        if (s.length == 0) {
            throw new IllegalArgumentException("select: a 0-d tensor has no dimension to select from");
        }
        int d = Shapes.dim("select", dim, s.length);
        int size = s[d];
        if (index < -size || index >= size) {
            throw new IllegalArgumentException("select: index " + index + " out of range for dimension " + d
                    + " of size " + size + " (shape " + Shapes.str(s) + ")");
        }
        long i = index < 0 ? (long) index + size : index;
        return region("select", be, x, d, i, 1, 1, true);
    }

    static Tensor slice(Tensor x, int dim, int start, int end, int step) {
        DeviceBackend be = Dispatch.check("slice", DTypes.ANY, x);
        int[] s = x.shapeRef();
        if (s.length == 0) {
            throw new IllegalArgumentException("slice: a 0-d tensor has no dimension to slice");
        }
        int d = Shapes.dim("slice", dim, s.length);
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        long size = s[d];
        long st = clampIndex(start, size);
        long en = clampIndex(end, size);
        long len = en <= st ? 0 : (en - st + step - 1) / step;
        return region("slice", be, x, d, st, (int) len, step, false);
    }

    /** Python's slice bound: negative counts from the end, then clamped to [0, size]. */
    private static long clampIndex(long i, long size) {
        long v = i < 0 ? i + size : i;
        return Math.max(0, Math.min(size, v));
    }

    /** Elements {@code start, start+step, ...} ({@code length} of them) along {@code d}; {@code drop} removes d. */
    private static Tensor region(String op, DeviceBackend be, Tensor x, int d, long start, int length, int step,
            boolean drop) {
        int[] s = x.shapeRef();
        long[] in = Shapes.strides(s);
        int rank = s.length;
        int outRank = drop ? rank - 1 : rank;
        int[] shape = new int[outRank];
        long[] strides = new long[outRank];
        for (int i = 0, j = 0; i < rank; i++) {
            if (i == d) {
                if (drop) {
                    continue;
                }
                shape[j] = length;
                strides[j++] = in[i] * step;
            } else {
                shape[j] = s[i];
                strides[j++] = in[i];
            }
        }
        return gather(op, be, x, shape, start * in[d], strides, null);
    }

    // ---------------------------------------------------------------- cat, stack, split, chunk

    static Tensor cat(List<Tensor> tensors, int dim) {
        return cat("cat", tensors, dim, false);
    }

    static Tensor stack(List<Tensor> tensors, int dim) {
        return cat("stack", tensors, dim, true);
    }

    private static Tensor cat(String op, List<Tensor> tensors, int dim, boolean stack) {
        Dispatch.nonNull(op, "tensors", tensors);
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException(op + ": expects a non-empty list of tensors");
        }
        Object[] roles = new Object[2 * tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            roles[2 * i] = "tensors[" + i + "]";
            roles[2 * i + 1] = tensors.get(i);
        }
        Device device = Dispatch.sameDevice(op, roles);
        Tensor first = tensors.get(0);
        for (int i = 1; i < tensors.size(); i++) {
            if (tensors.get(i).dtype() != first.dtype()) {
                throw new DTypeMismatchException(op, "tensors of one dtype", List.of("tensors[0]", "tensors[" + i + "]"),
                        List.of(first.dtype(), tensors.get(i).dtype()), DTypes.set(DTypes.ANY), null);
            }
        }
        DeviceBackend be = Backends.forOp(device);
        int[] s0 = first.shapeRef();
        int rank = s0.length;
        int d;
        if (stack) {
            d = dim < 0 ? dim + rank + 1 : dim;
            if (d < 0 || d > rank) {
                throw new IllegalArgumentException("stack: dimension " + dim + " out of range for stacking "
                        + rank + "-d tensors (expected in [" + (-rank - 1) + ", " + rank + "])");
            }
        } else {
            if (rank == 0) {
                throw new IllegalArgumentException("cat: zero-dimensional tensors[0] cannot be concatenated");
            }
            d = Shapes.dim("cat", dim, rank);
        }
        long total = 0;
        int[][] shapes = new int[tensors.size()][];
        for (int i = 0; i < tensors.size(); i++) {
            int[] si = tensors.get(i).shapeRef();
            shapes[i] = si;
            boolean ok = si.length == rank;
            for (int k = 0; ok && k < rank; k++) {
                ok = si[k] == s0[k] || (!stack && k == d);
            }
            if (!ok) {
                throw new ShapeMismatchException(op, "tensors[" + i + "] of shape " + Shapes.str(si)
                        + (stack ? " differs from tensors[0]'s " + Shapes.str(s0) + "; stack needs equal shapes"
                                : " does not match tensors[0]'s " + Shapes.str(s0) + " outside dimension " + d),
                        shapes[0], si);
            }
            total += stack ? 1 : si[d];
        }
        if (total > Integer.MAX_VALUE) {
            throw new ShapeMismatchException(op, "the result's dimension " + d + " would be " + total
                    + ", more than the " + Integer.MAX_VALUE + " a dimension holds", s0);
        }
        int[] shape;
        if (stack) {
            shape = new int[rank + 1];
            for (int i = 0, j = 0; i <= rank; i++) {
                shape[i] = i == d ? (int) total : s0[j++];
            }
        } else {
            shape = s0.clone();
            shape[d] = (int) total;
        }
        Tensor out = Tensor.empty(op, be, first.dtype(), shape);
        long[] outStrides = Shapes.strides(shape);
        // Each input is written as a block of the output: in its own shape (with stack's size-1 dim).
        long at = 0;
        int[] offsets = new int[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            int[] block = stack ? insert(t.shapeRef(), d, 1) : t.shapeRef();
            offsets[i] = (int) at;
            if (t.numel() > 0) {
                be.stridedCopy(t.storage(), 0, out.storage(), at * outStrides[d],
                        BroadcastPlan.of(block, Shapes.strides(block), outStrides));
            }
            at += block[d];
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        Autograd.record(out, op, inputs, Autograd.NOTHING_SAVED, g -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                grads[i] = stack ? g.select(d, offsets[i]) : g.narrow(d, offsets[i], shapes[i][d]);
            }
            return grads;
        });
        return out;
    }

    private static int[] insert(int[] s, int d, int size) {
        int[] r = new int[s.length + 1];
        for (int i = 0, j = 0; i < r.length; i++) {
            r[i] = i == d ? size : s[j++];
        }
        return r;
    }

    static List<Tensor> split(Tensor x, int splitSize, int dim) {
        Dispatch.check("split", DTypes.ANY, x);
        int[] s = x.shapeRef();
        if (s.length == 0) {
            throw new IllegalArgumentException("split: expects at least a 1-dimensional tensor");
        }
        int d = Shapes.dim("split", dim, s.length);
        int size = s[d];
        if (splitSize < 0 || (splitSize == 0 && size != 0)) {
            throw new IllegalArgumentException("split: splitSize " + splitSize + " must be positive (0 only for a "
                    + "dimension of size 0); dimension " + d + " of shape " + Shapes.str(s) + " is " + size);
        }
        int n = splitSize == 0 ? 1 : Math.max(1, (int) ((size + (long) splitSize - 1) / splitSize));
        List<Tensor> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long start = (long) i * splitSize;
            parts.add(narrow(x, d, (int) start, (int) Math.min(splitSize, size - start)));
        }
        return parts;
    }

    /** torch.split with a list of section sizes, which must sum to the dimension's size. */
    static List<Tensor> split(Tensor x, int[] sections, int dim) {
        Dispatch.nonNull("split", "sections", sections);
        Dispatch.check("split", DTypes.ANY, x);
        int[] s = x.shapeRef();
        if (s.length == 0) {
            throw new IllegalArgumentException("split: expects at least a 1-dimensional tensor");
        }
        int d = Shapes.dim("split", dim, s.length);
        long total = 0;
        for (int v : sections) {
            total += v;
            if (v < 0) {
                total = -1;
                break;
            }
        }
        if (total != s[d]) {
            throw new IllegalArgumentException("split: sections " + java.util.Arrays.toString(sections)
                    + " must be non-negative and sum to the size of dimension " + d + " of shape " + Shapes.str(s)
                    + ", " + s[d]);
        }
        List<Tensor> parts = new ArrayList<>(sections.length);
        int start = 0;
        for (int v : sections) {
            parts.add(narrow(x, d, start, v));
            start += v;
        }
        return parts;
    }

    static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        Dispatch.check("chunk", DTypes.ANY, x);
        int[] s = x.shapeRef();
        if (s.length == 0) {
            throw new IllegalArgumentException("chunk: expects at least a 1-dimensional tensor");
        }
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk: chunks must be positive, got " + chunks);
        }
        int d = Shapes.dim("chunk", dim, s.length);
        int size = s[d];
        if (size == 0) { // as PyTorch: `chunks` empty pieces, not split's one
            List<Tensor> parts = new ArrayList<>(chunks);
            for (int i = 0; i < chunks; i++) {
                parts.add(narrow(x, d, 0, 0));
            }
            return parts;
        }
        return split(x, (int) ((size + (long) chunks - 1) / chunks), d);
    }
}
