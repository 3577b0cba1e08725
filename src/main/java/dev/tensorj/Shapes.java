package dev.tensorj;

import dev.tensorj.backend.BroadcastPlan;
import java.util.Arrays;

/** Shape arithmetic: validation, element counts, broadcasting. */
final class Shapes {
    private Shapes() {}

    static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /**
     * Validates {@code shape} and returns its element count.
     *
     * @throws IllegalArgumentException for a negative dimension or a count beyond {@code long}
     */
    static long numel(String op, int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": negative dimension " + d + " in shape " + str(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(op + ": shape " + str(shape) + " has too many elements");
            }
        }
        return n;
    }

    /** Row-major strides, in elements. */
    static long[] strides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** PyTorch's broadcast of two shapes: aligned from the right, a size-1 dimension stretches. */
    static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = dimFromRight(a, rank - 1 - i);
            int db = dimFromRight(b, rank - 1 - i);
            if (da != db && da != 1 && db != 1) {
                throw new ShapeMismatchException(op, "shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast: dimension " + i + " of the result is " + da + " in one and "
                        + db + " in the other", a, b);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    private static int dimFromRight(int[] s, int fromRight) {
        int i = s.length - 1 - fromRight;
        return i >= 0 ? s[i] : 1;
    }

    /** Strides that read {@code shape} as if it were broadcast to {@code out} (0 where stretched). */
    static long[] broadcastStrides(int[] shape, int[] out) {
        long[] own = strides(shape);
        long[] s = new long[out.length];
        int offset = out.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            s[offset + i] = shape[i] == 1 && out[offset + i] != 1 ? 0 : own[i];
        }
        return s;
    }

    /**
     * The plan of a binary op writing {@code out} from operands of shapes {@code a} and {@code b}
     * (each broadcast to {@code out}): made here, once, for every backend.
     */
    static BroadcastPlan plan(int[] a, int[] b, int[] out) {
        int slot = (31 * (31 * Arrays.hashCode(a) + Arrays.hashCode(b)) + Arrays.hashCode(out)) & (PLANS.length - 1);
        PlanEntry e = PLANS[slot];
        if (e != null && Arrays.equals(e.a, a) && Arrays.equals(e.b, b) && Arrays.equals(e.out, out)) {
            return e.plan;
        }
        BroadcastPlan p = BroadcastPlan.of(out, broadcastStrides(a, out), broadcastStrides(b, out));
        PLANS[slot] = new PlanEntry(a.clone(), b.clone(), out.clone(), p);
        return p;
    }

    /**
     * Recently made plans, direct-mapped by their shapes' hash and shared by all threads: a training
     * step runs the same few shape combinations every time, and a new plan was five objects per op
     * (a large part of a small step's heap). Plans are immutable, and so is an entry (its shapes are
     * copies), so a thread reading a slot while another replaces it sees one whole entry or the other.
     */
    private static final PlanEntry[] PLANS = new PlanEntry[64];

    private record PlanEntry(int[] a, int[] b, int[] out, BroadcastPlan plan) {}

    /**
     * An array equal to {@code shape} that tensors may share: {@code shape} copied once, then the
     * same copy for every tensor of that shape while it stays in its slot. A tensor's shape array is
     * never written (Tensor hands out copies only), so an op's output needs no array of its own.
     * Direct-mapped and shared by all threads as {@link #PLANS}; the array is held by an immutable
     * record, so its values are visible to every thread that reads the slot.
     */
    static int[] shared(int[] shape) {
        int slot = Arrays.hashCode(shape) & (SHAPES.length - 1);
        SharedShape e = SHAPES[slot];
        if (e != null && Arrays.equals(e.dims, shape)) {
            return e.dims;
        }
        int[] copy = shape.clone();
        SHAPES[slot] = new SharedShape(copy);
        return copy;
    }

    private static final SharedShape[] SHAPES = new SharedShape[64];

    private record SharedShape(int[] dims) {}

    /** Normalises a possibly negative dimension index. */
    static int dim(String op, int dim, int rank) {
        int r = Math.max(rank, 1); // a 0-d tensor accepts dim 0 and -1, as in PyTorch
        int d = dim < 0 ? dim + r : dim;
        if (d < 0 || d >= r) {
            throw new IllegalArgumentException(op + ": dimension " + dim + " out of range for a "
                    + rank + "-d tensor");
        }
        return d;
    }
}
