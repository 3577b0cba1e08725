package dev.tensorj;


/**
 * The global generator behind randn, rand and layer initialisation. Samples are drawn on the host
 * (so a seed gives the same values on every device) and copied once to the target device.
 */
final class Random {
    /** A fixed default seed, so runs are reproducible unless seeded otherwise (PyTorch's choice too). */
    private static final long DEFAULT_SEED = 67280421310721L;
    private static java.util.Random generator = new java.util.Random(DEFAULT_SEED);

    private Random() {}

    static synchronized void seed(long seed) {
        generator = new java.util.Random(seed);
    }

    static Tensor create(Device device, int[] shape, boolean normal) {
        String op = normal ? "randn" : "rand";
        Dispatch.nonNull(op, "device", device);
        Dispatch.nonNull(op, "shape", shape);
        long n = Shapes.numel(op, shape);
        var backend = Backends.of(device);
        if (device.isMeta()) {
            return Tensor.empty(op, backend, shape);
        }
        // Drawn on the host, so even a cuda tensor is bounded by one float[] here.
        float[] data = new float[HostArrayLimitException.check(op, n, shape, "host-drawn samples")];
        synchronized (Random.class) {
            for (int i = 0; i < data.length; i++) {
                data[i] = normal ? (float) generator.nextGaussian() : generator.nextFloat();
            }
        }
        return Tensor.wrap(device, backend.fromHost(data), shape.clone());
    }
}
