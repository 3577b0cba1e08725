package dev.tensorj;

import java.util.Arrays;

/**
 * layer_norm as one op, PyTorch's native {@code layer_norm}: one kernel forward (each row's mean and
 * rstd, then the normalised, scaled and shifted output), one graph node, and a backward of one row
 * kernel for the input's gradient and one column-sum kernel for the weight's and bias's, instead of
 * nine composed ops with an output and a node each.
 */
final class Normalization {
    private Normalization() {}

    /**
     * {@code (input - mean) / sqrt(var + eps) · weight + bias} over the last
     * {@code normalizedShape.length} dimensions; see {@link Functional#layerNorm}.
     */
    static Tensor layerNorm(Tensor input, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        String op = "layer_norm";
        Dispatch.nonNull(op, "input", input);
        int[] norm = Dispatch.nonNull(op, "normalizedShape", normalizedShape).clone();
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "input", input, Dispatch.optional("weight"), weight,
                Dispatch.optional("bias"), bias);
        int[] xs = input.shapeRef();
        checkShapes(op, xs, norm, weight, bias);
        long len = 1;
        for (int s : norm) {
            len *= s;
        }
        long rows = 1; // the leading dimensions, also when a normalised one is 0
        for (int i = 0; i < xs.length - norm.length; i++) {
            rows *= xs[i];
        }
        Tensor out = Tensor.empty(op, be, xs);
        // The op's own statistics, kept for the backward: the means as two floats each, the rstds.
        Tensor stats = Tensor.empty(op, be, new int[] {3, (int) rows});
        if (out.numel() > 0) {
            be.layerNorm(input.storage(), weight == null ? null : weight.storage(), bias == null ? null : bias.storage(),
                    rows, len, (float) eps, out.storage(), stats.storage());
        }
        long r = rows;
        long n = len;
        Tensor[] saved = weight == null ? new Tensor[] {input, stats} : new Tensor[] {input, weight, stats};
        Autograd.record(out, op, new Tensor[] {input, weight, bias}, saved,
                g -> layerNormBackward(input, weight, bias, stats, g, r, n, norm));
        stats.close(); // held by the graph when one was recorded, freed after its backward; else now
        return out;
    }

    /**
     * normalizedShape at least 1-d and the input's last dimensions; weight and bias, where given,
     * of that shape (PyTorch's checks and wording).
     */
    private static void checkShapes(String op, int[] xs, int[] norm, Tensor weight, Tensor bias) {
        if (norm.length == 0) {
            throw new IllegalArgumentException(op + ": expected normalizedShape to be at least 1-dimensional, i.e., "
                    + "containing at least one element, but got normalizedShape=[]");
        }
        int k = norm.length;
        if (xs.length < k || !Arrays.equals(Arrays.copyOfRange(xs, xs.length - k, xs.length), norm)) {
            throw new ShapeMismatchException(op, "given normalizedShape=" + Shapes.str(norm)
                    + ", expected input with shape [*, " + Shapes.str(norm).replaceAll("[\\[\\]]", "")
                    + "], but got input of size " + Shapes.str(xs), xs, norm);
        }
        checkAffine(op, "weight", weight, norm);
        checkAffine(op, "bias", bias, norm);
    }

    private static void checkAffine(String op, String role, Tensor t, int[] norm) {
        if (t != null && !Arrays.equals(t.shapeRef(), norm)) {
            throw new ShapeMismatchException(op, "expected " + role + " to be of same shape as normalizedShape, but got "
                    + role + " of shape " + Shapes.str(t.shapeRef()) + " and normalizedShape=" + Shapes.str(norm),
                    t.shapeRef(), norm);
        }
    }

    /**
     * The backward kernel of {@link #layerNorm}, as an op of its own: the gradients of input, weight
     * and bias (null where not required).
     */
    private static Tensor[] layerNormBackward(Tensor x, Tensor weight, Tensor bias, Tensor stats, Tensor g, long rows,
            long len, int[] norm) {
        String op = "layer_norm_backward";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "input", x, "grad", g);
        Tensor gx = Tensor.empty(op, be, x.shapeRef());
        Tensor gw = weight != null && weight.requiresGrad() ? Tensor.empty(op, be, norm) : null;
        Tensor gb = bias != null && bias.requiresGrad() ? Tensor.empty(op, be, norm) : null;
        if (gx.numel() > 0) {
            be.layerNormBackward(x.storage(), weight == null ? null : weight.storage(), stats.storage(), g.storage(),
                    rows, len, gx.storage(), gw == null ? null : gw.storage(), gb == null ? null : gb.storage());
        } else if (len > 0) { // no rows: the column sums are zero
            for (Tensor t : new Tensor[] {gw, gb}) {
                if (t != null) {
                    be.fill(t.storage(), 0f);
                }
            }
        }
        return new Tensor[] {x.requiresGrad() ? gx : close(gx), gw, gb};
    }

    private static Tensor close(Tensor t) {
        t.close();
        return null;
    }
}
