package dev.tensorj.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.TensorClosedException;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;

/** Separate models on separate threads, and shared devices under concurrent use. */
class ConcurrencyTest {

    /** One model and its data, built on the calling thread from a seed. */
    private record Job(Sequential model, Tensor x, Tensor y) {
        static Job build(Device device, int seed) {
            Tensor.manualSeed(seed); // the global generator: build on one thread only
            Sequential model = new Sequential(new Linear(16, 64), new ReLU(), new Linear(64, 4)).to(device);
            return new Job(model, Tensor.randn(128, 16).to(device), Tensor.randn(128, 4).to(device));
        }

        /** Twenty SGD steps with momentum; returns every parameter value, in order. */
        float[] train() {
            SGD sgd = new SGD(model.parameters(), 0.05f, 0.9f);
            MSELoss loss = new MSELoss();
            for (int step = 0; step < 20; step++) {
                sgd.zeroGrad();
                loss.forward(model.forward(x), y).backward();
                sgd.step();
            }
            List<Float> out = new ArrayList<>();
            for (Tensor p : model.parameters()) {
                for (float v : p.toFloatArray()) {
                    out.add(v);
                }
            }
            float[] result = new float[out.size()];
            for (int i = 0; i < result.length; i++) {
                result[i] = out.get(i);
            }
            return result;
        }
    }

    private static Tensor random(java.util.Random r, int... shape) {
        float[] v = new float[shape[0] * shape[1]];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, shape);
    }

    @ParameterizedTest
    @DevicesSource
    void twoThreadsTrainingSeparateModelsEachGetTheSingleThreadedResult(Device d) throws Exception {
        float[] expectedA = Job.build(d, 1).train();
        float[] expectedB = Job.build(d, 2).train();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                Job jobA = Job.build(d, 1);
                Job jobB = Job.build(d, 2);
                CountDownLatch start = new CountDownLatch(1);
                Future<float[]> a = pool.submit(() -> {
                    start.await();
                    return jobA.train();
                });
                Future<float[]> b = pool.submit(() -> {
                    start.await();
                    return jobB.train();
                });
                start.countDown();
                assertArrayEquals(expectedA, a.get(60, TimeUnit.SECONDS), "model A, round " + round);
                assertArrayEquals(expectedB, b.get(60, TimeUnit.SECONDS), "model B, round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @DevicesSource
    void eightThreadsMultiplyingOnOneDeviceAreCorrect(Device d) throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    java.util.Random r = new java.util.Random(seed);
                    int m = 33 + seed * 7;
                    int k = 65;
                    int n = 129 - seed;
                    Tensor a = random(r, m, k);
                    Tensor b = random(r, k, n);
                    float[] av = a.toFloatArray();
                    float[] bv = b.toFloatArray();
                    Tensor ad = a.to(d);
                    Tensor bd = b.to(d);
                    start.await();
                    for (int rep = 0; rep < 20; rep++) {
                        float[] c = ad.matmul(bd).toFloatArray();
                        for (int i = 0; i < m; i += 5) {
                            for (int j = 0; j < n; j += 3) {
                                double ref = 0;
                                double abs = 0;
                                for (int p = 0; p < k; p++) {
                                    ref += (double) av[i * k + p] * bv[p * n + j];
                                    abs += Math.abs((double) av[i * k + p] * bv[p * n + j]);
                                }
                                if (Math.abs(c[i * n + j] - ref) > 1e-5 * abs + 1e-6) {
                                    return false;
                                }
                            }
                        }
                    }
                    return true;
                }));
            }
            start.countDown();
            for (Future<Boolean> f : results) {
                assertTrue(f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @DevicesSource
    void closingATensorWhileAnotherThreadUsesItGivesAnExceptionNotACrash(Device d) throws Exception {
        for (int round = 0; round < 20; round++) {
            Tensor a = Tensor.randn(d, 256, 256);
            CountDownLatch started = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<Integer> user = pool.submit(() -> {
                started.countDown();
                int done = 0;
                try {
                    for (int i = 0; i < 1000; i++) {
                        a.matmul(a).sum().item();
                        done++;
                    }
                } catch (TensorClosedException e) {
                    assertEquals("matmul", e.op());
                    return -done - 1;
                }
                return done;
            });
            started.await();
            a.close();
            int outcome = user.get(60, TimeUnit.SECONDS);
            // Either the user saw the close (a clear exception) or finished first; the JVM is fine.
            assertTrue(outcome < 0 || outcome == 1000, "outcome " + outcome);
            pool.shutdownNow();
        }
        assertEquals(8f, Tensor.of(new float[] {2f, 2f}).matmul(Tensor.of(new float[] {2f, 2f})).item());
    }
}
