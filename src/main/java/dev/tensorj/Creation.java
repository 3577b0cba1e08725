package dev.tensorj;

/**
 * Creation ops computed on the host and placed on the device once: arange, eye, linspace; and the
 * {@code *_like} family (shape, dtype and device of an existing tensor; the random ones drawn on
 * that device by {@link Random}). A meta tensor gets its shape only.
 */
final class Creation {
    private Creation() {}

    /** PyTorch's int64 {@code arange(start, end, step)}: {@code ceil((end - start) / step)} elements. */
    static Tensor arange(Device device, long start, long end, long step) {
        Dispatch.nonNull("arange", "device", device);
        long n = count(start, end, step);
        DeviceBackend be = Backends.of(device);
        int[] shape = {(int) n};
        if (device.isMeta()) {
            return Tensor.empty("arange", be, DType.INT64, shape);
        }
        long[] v = new long[HostArrayLimitException.check("arange", n, shape, "a host-built arange")];
        for (int i = 0; i < v.length; i++) {
            v[i] = start + i * step;
        }
        return Tensor.wrap(device, be.fromHost(v), shape);
    }

    /** PyTorch's float32 {@code arange}: the count and the values {@code start + i·step} computed in double. */
    static Tensor arange(Device device, float start, float end, float step) {
        Dispatch.nonNull("arange", "device", device);
        if (!Float.isFinite(start) || !Float.isFinite(end) || !Float.isFinite(step)) {
            throw new IllegalArgumentException("arange: start " + start + ", end " + end + " and step " + step
                    + " must be finite");
        }
        checkStep(step == 0, step > 0, start, end, step);
        double size = Math.ceil(((double) end - start) / step);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("arange: " + size + " elements from start " + start + ", end " + end
                    + " and step " + step + " are more than a dimension holds");
        }
        int n = (int) Math.max(0, size);
        DeviceBackend be = Backends.of(device);
        int[] shape = {n};
        if (device.isMeta()) {
            return Tensor.empty("arange", be, DType.FLOAT32, shape);
        }
        float[] v = new float[HostArrayLimitException.check("arange", n, shape, "a host-built arange")];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (start + (double) i * step);
        }
        return Tensor.wrap(device, be.fromHost(v), shape);
    }

    private static long count(long start, long end, long step) {
        checkStep(step == 0, step > 0, start, end, step);
        double approx = Math.ceil(((double) end - start) / step);
        if (approx > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("arange: start " + start + ", end " + end + " and step " + step
                    + " give more elements than a dimension holds");
        }
        long dist;
        try {
            dist = Math.subtractExact(end, start);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("arange: the range from " + start + " to " + end
                    + " is wider than a long counts");
        }
        long n = dist / step + (dist % step != 0 ? 1 : 0);
        return Math.max(0, n);
    }

    private static void checkStep(boolean zero, boolean positive, Object start, Object end, Object step) {
        if (zero) {
            throw new IllegalArgumentException("arange: step must be nonzero");
        }
        double s = ((Number) start).doubleValue();
        double e = ((Number) end).doubleValue();
        if (positive ? e < s : e > s) {
            throw new IllegalArgumentException("arange: upper bound " + end + " and lower bound " + start
                    + " are inconsistent with the sign of step " + step);
        }
    }

    /** A float32 {@code rows × cols} matrix with ones on the diagonal. */
    static Tensor eye(Device device, int rows, int cols) {
        Dispatch.nonNull("eye", "device", device);
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("eye: sizes must be non-negative, got " + rows + " × " + cols);
        }
        int[] shape = {rows, cols};
        long n = Shapes.numel("eye", shape);
        DeviceBackend be = Backends.of(device);
        if (device.isMeta()) {
            return Tensor.empty("eye", be, DType.FLOAT32, shape);
        }
        float[] v = new float[HostArrayLimitException.check("eye", n, shape, "a host-built eye")];
        for (int i = 0; i < Math.min(rows, cols); i++) {
            v[i * cols + i] = 1f;
        }
        return Tensor.wrap(device, be.fromHost(v), shape);
    }

    /**
     * PyTorch's {@code linspace}: float32, step {@code (end - start)/(steps - 1)} in float, the first
     * half counted up from start and the second down from end (so both ends are exact).
     */
    static Tensor linspace(Device device, float start, float end, int steps) {
        Dispatch.nonNull("linspace", "device", device);
        if (steps < 0) {
            throw new IllegalArgumentException("linspace: number of steps must be non-negative, got " + steps);
        }
        int[] shape = {steps};
        DeviceBackend be = Backends.of(device);
        if (device.isMeta()) {
            return Tensor.empty("linspace", be, DType.FLOAT32, shape);
        }
        float[] v = new float[HostArrayLimitException.check("linspace", steps, shape, "a host-built linspace")];
        if (steps == 1) {
            v[0] = start;
        } else if (steps > 1) {
            float step = (end - start) / (steps - 1);
            int half = steps / 2;
            for (int i = 0; i < steps; i++) {
                v[i] = i < half ? start + step * i : end - step * (steps - i - 1);
            }
        }
        return Tensor.wrap(device, be.fromHost(v), shape);
    }

    /** {@code *_like}: a constant of x's shape, dtype and device; the value converted as {@link Tensor#to(DType)}. */
    static Tensor fullLike(String op, Tensor x, float value) {
        Dispatch.nonNull(op, "input", x);
        x.checkOpen(op, "input");
        switch (x.dtype()) {
            case FLOAT32: return Tensor.full(x.device(), value, x.shapeRef());
            case INT64: return Tensor.full(x.device(), (long) value, x.shapeRef());
            default: return Tensor.full(x.device(), value != 0f, x.shapeRef());
        }
    }

    /** randn_like / rand_like: float32 only, as PyTorch (no normal or uniform sampling into integers). */
    static Tensor randomLike(String op, Tensor x, boolean normal) {
        Dispatch.nonNull(op, "input", x);
        x.checkOpen(op, "input");
        Dispatch.checkDType(op, DTypes.FLOAT32, "input", x, null);
        return normal ? Random.normal(op, x.device(), x.shapeRef(), 0f, 1f)
                : Random.uniform(op, x.device(), x.shapeRef(), 0f, 1f);
    }
}
