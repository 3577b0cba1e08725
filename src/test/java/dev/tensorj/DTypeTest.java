package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.CheckDevices;
import dev.tensorj.junit.DeviceCases;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Dtypes on every device: creation and reading round-trips, casts in every direction against Java's
 * own conversions (the documented semantics, bit for bit on cpu and cuda), fills, copies between
 * devices, the dtype check of every op (typed, after the device check, before any allocation),
 * float32 promotion with its gradient, and meta tensors carrying dtypes.
 */
class DTypeTest {

    /** cpu, cuda:0 (skipped without a device, emulated in the emulator runs) and meta. */
    private static final long[] LONGS = {0L, 1L, -1L, (1L << 53) + 1, -((1L << 53) + 1), Long.MIN_VALUE,
            Long.MAX_VALUE, -123_456_789_012_345L, (1L << 24) + 1, (1L << 24) + 3, (1L << 40) + 1};
    private static final int[] INTS = {Integer.MIN_VALUE, -5, 0, 7, Integer.MAX_VALUE};
    private static final boolean[] BOOLS = {true, false, false, true, true, false};
    private static final float[] FLOATS = {0f, -0f, 1f, -1f, 2.5f, -2.5f, 0.9999f, -0.9999f, 1e20f, -1e20f,
            Float.NaN, Float.intBitsToFloat(0x7fc12345), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            9.223372e18f /* 2^63 */, -9.223372e18f, 4.611686e18f /* 2^62 */, Float.MIN_VALUE, -Float.MIN_VALUE,
            3e9f, -3e9f, 123456.7f, 16777217f, Float.MAX_VALUE, -Float.MAX_VALUE};

    // ---------------------------------------------------------------- creation and reading

    @ParameterizedTest
    @DevicesSource
    void int64ValuesRoundTripExactly(Device device) {
        Tensor t = Tensor.of(LONGS).to(device);
        assertEquals(DType.INT64, t.dtype());
        assertEquals(device, t.device());
        assertArrayEquals(new int[] {LONGS.length}, t.shape());
        assertArrayEquals(LONGS, t.toLongArray());
        assertArrayEquals(LONGS, t.to(Device.CPU).toLongArray());
        Tensor shaped = Tensor.of(new long[] {1, -2, 3, Long.MIN_VALUE, 5, 6}, 2, 3).to(device);
        assertArrayEquals(new int[] {2, 3}, shaped.shape());
        assertArrayEquals(new long[] {1, -2, 3, Long.MIN_VALUE, 5, 6}, shaped.reshape(6).toLongArray());
        assertEquals((1L << 53) + 1, Tensor.of(new long[] {(1L << 53) + 1}).reshape().to(device).longItem());
        assertEquals(Long.MIN_VALUE, Tensor.of(new long[] {Long.MIN_VALUE}).to(device).longItem());
    }

    @ParameterizedTest
    @DevicesSource
    void intArraysBecomeInt64(Device device) {
        Tensor t = Tensor.of(INTS, 5, 1).to(device);
        assertEquals(DType.INT64, t.dtype());
        assertArrayEquals(new int[] {5, 1}, t.shape());
        assertArrayEquals(new long[] {Integer.MIN_VALUE, -5, 0, 7, Integer.MAX_VALUE}, t.toLongArray());
    }

    @ParameterizedTest
    @DevicesSource
    void boolValuesRoundTrip(Device device) {
        Tensor t = Tensor.of(BOOLS, 2, 3).to(device);
        assertEquals(DType.BOOL, t.dtype());
        assertArrayEquals(BOOLS, t.toBooleanArray());
        assertArrayEquals(BOOLS, t.to(Device.CPU).toBooleanArray());
        assertTrue(Tensor.of(new boolean[] {true}).to(device).booleanItem());
        assertFalse(Tensor.of(new boolean[] {false}).reshape().to(device).booleanItem());
    }

    @Test
    void creationChecksShapesAndNulls() {
        assertThrows(ShapeMismatchException.class, () -> Tensor.of(new long[] {1, 2, 3}, 2, 2));
        assertThrows(ShapeMismatchException.class, () -> Tensor.of(new int[] {1, 2, 3}, 4));
        assertThrows(ShapeMismatchException.class, () -> Tensor.of(new boolean[] {true}, 2));
        assertThrows(NullPointerException.class, () -> Tensor.of((long[]) null));
        assertThrows(NullPointerException.class, () -> Tensor.of((boolean[]) null));
        assertThrows(NullPointerException.class, () -> Tensor.zeros((DType) null, 2));
        assertArrayEquals(new long[0], Tensor.of(new long[0]).toLongArray());
        assertArrayEquals(new boolean[0], Tensor.of(new boolean[0], 0, 3).toBooleanArray());
    }

    @Test
    void dtypeNamesAndSizesArePyTorchs() {
        assertEquals("float32", DType.FLOAT32.toString());
        assertEquals("int64", DType.INT64.toString());
        assertEquals("bool", DType.BOOL.toString());
        assertEquals(4, DType.FLOAT32.byteSize());
        assertEquals(8, DType.INT64.byteSize());
        assertEquals(1, DType.BOOL.byteSize());
        assertTrue(DType.FLOAT32.isFloatingPoint());
        assertFalse(DType.INT64.isFloatingPoint());
        assertFalse(DType.BOOL.isFloatingPoint());
    }

    @Test
    void toStringShowsValuesOfTheDTypeAndNamesNonFloat32() {
        assertEquals("tensor([1, -2, 3], shape=[3], device=cpu, dtype=int64)", Tensor.of(new long[] {1, -2, 3}).toString());
        assertEquals("tensor([true, false], shape=[2], device=cpu, dtype=bool)",
                Tensor.of(new boolean[] {true, false}).toString());
        assertEquals("tensor([1.5], shape=[1], device=cpu)", Tensor.of(new float[] {1.5f}).toString());
        assertEquals("tensor(shape=[2], device=meta, dtype=int64)", Tensor.zeros(Device.META, DType.INT64, 2).toString());
    }

    // ---------------------------------------------------------------- casts

    /** Java's conversions are the documented semantics; the edge cases are spelled out too. */
    @Test
    void theDocumentedCastResults() {
        Tensor f = Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e20f, -1e20f,
                2.5f, -2.5f, -0f, 0.9999f, -0.9999f});
        assertArrayEquals(new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 2, -2, 0, 0, 0},
                f.to(DType.INT64).toLongArray());
        assertArrayEquals(new boolean[] {true, true, true, true, true, true, true, false, true, true},
                f.to(DType.BOOL).toBooleanArray());
        // 2^24 + 3 is halfway between two floats: ties go to the even one, 2^24 + 4.
        assertArrayEquals(new float[] {16777216f, 16777220f, 9.223372e18f},
                Tensor.of(new long[] {(1L << 24) + 1, (1L << 24) + 3, Long.MAX_VALUE}).to(DType.FLOAT32).toFloatArray());
        assertArrayEquals(new float[] {1f, 0f}, Tensor.of(new boolean[] {true, false}).to(DType.FLOAT32).toFloatArray());
        assertArrayEquals(new long[] {1, 0}, Tensor.of(new boolean[] {true, false}).to(DType.INT64).toLongArray());
    }

    @ParameterizedTest
    @DevicesSource
    void castsInEveryDirectionMatchJava(Device device) {
        Tensor f = Tensor.of(FLOATS).to(device);
        long[] fToL = new long[FLOATS.length];
        boolean[] fToB = new boolean[FLOATS.length];
        for (int i = 0; i < FLOATS.length; i++) {
            fToL[i] = (long) FLOATS[i];
            fToB[i] = FLOATS[i] != 0f;
        }
        assertArrayEquals(fToL, f.to(DType.INT64).toLongArray(), "float32 -> int64 on " + device);
        assertArrayEquals(fToB, f.to(DType.BOOL).toBooleanArray(), "float32 -> bool on " + device);

        Tensor l = Tensor.of(LONGS).to(device);
        float[] lToF = new float[LONGS.length];
        boolean[] lToB = new boolean[LONGS.length];
        for (int i = 0; i < LONGS.length; i++) {
            lToF[i] = (float) LONGS[i];
            lToB[i] = LONGS[i] != 0L;
        }
        assertBits(lToF, l.to(DType.FLOAT32).toFloatArray(), "int64 -> float32 on " + device);
        assertArrayEquals(lToB, l.to(DType.BOOL).toBooleanArray(), "int64 -> bool on " + device);

        Tensor b = Tensor.of(BOOLS).to(device);
        float[] bToF = new float[BOOLS.length];
        long[] bToL = new long[BOOLS.length];
        for (int i = 0; i < BOOLS.length; i++) {
            bToF[i] = BOOLS[i] ? 1f : 0f;
            bToL[i] = BOOLS[i] ? 1L : 0L;
        }
        assertBits(bToF, b.to(DType.FLOAT32).toFloatArray(), "bool -> float32 on " + device);
        assertArrayEquals(bToL, b.to(DType.INT64).toLongArray(), "bool -> int64 on " + device);

        // Round trips through another dtype, and casts of empty tensors.
        assertArrayEquals(roundTripThroughFloat(LONGS), l.to(DType.FLOAT32).to(DType.INT64).toLongArray());
        assertArrayEquals(BOOLS, b.to(DType.INT64).to(DType.BOOL).toBooleanArray());
        assertArrayEquals(new long[0], Tensor.zeros(device, 0, 4).to(DType.INT64).toLongArray());
        assertEquals(device, f.to(DType.INT64).device());
    }

    private static long[] roundTripThroughFloat(long[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (long) (float) v[i];
        }
        return out;
    }

    /** 20,000 random float bit patterns (every class: NaNs, subnormals, huge) and int64s: cuda gives the cpu's bits. */
    @Test
    @RequiresCuda
    void cudaCastsGiveTheCpusBits() {
        java.util.Random r = new java.util.Random(12);
        float[] f = new float[20_000];
        long[] l = new long[20_000];
        for (int i = 0; i < f.length; i++) {
            f[i] = Float.intBitsToFloat(r.nextInt());
            l[i] = i % 2 == 0 ? r.nextLong() : r.nextLong() >> r.nextInt(64);
        }
        Device cuda = Device.cuda(0);
        Tensor fc = Tensor.of(f), lc = Tensor.of(l);
        Tensor fg = fc.to(cuda), lg = lc.to(cuda);
        assertArrayEquals(fc.to(DType.INT64).toLongArray(), fg.to(DType.INT64).toLongArray());
        assertArrayEquals(fc.to(DType.BOOL).toBooleanArray(), fg.to(DType.BOOL).toBooleanArray());
        assertBits(lc.to(DType.FLOAT32).toFloatArray(), lg.to(DType.FLOAT32).toFloatArray(), "int64 -> float32");
        assertArrayEquals(lc.to(DType.BOOL).toBooleanArray(), lg.to(DType.BOOL).toBooleanArray());
    }

    private static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]);
            int a = Float.floatToRawIntBits(actual[i]);
            assertEquals(e, a, what + " [" + i + "]: expected " + expected[i] + ", got " + actual[i]);
        }
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void toTheSameDTypeIsTheSameTensorAndCastsStayOnTheDevice(Device device) {
        Tensor x = Tensor.zeros(device, DType.INT64, 2, 3);
        assertSame(x, x.to(DType.INT64));
        Tensor b = x.to(DType.BOOL);
        assertEquals(DType.BOOL, b.dtype());
        assertEquals(device, b.device());
        assertArrayEquals(new int[] {2, 3}, b.shape());
        assertThrows(NullPointerException.class, () -> x.to((DType) null));
    }

    // ---------------------------------------------------------------- fills

    @ParameterizedTest
    @DevicesSource
    void zerosOnesAndFullOfEveryDType(Device device) {
        assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0}, Tensor.zeros(device, DType.INT64, 2, 3).toLongArray());
        assertArrayEquals(new long[] {1, 1, 1}, Tensor.ones(device, DType.INT64, 3).toLongArray());
        assertArrayEquals(new boolean[] {false, false}, Tensor.zeros(device, DType.BOOL, 2).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, true}, Tensor.ones(device, DType.BOOL, 3, 1).toBooleanArray());
        assertArrayEquals(new float[] {1f, 1f}, Tensor.ones(device, DType.FLOAT32, 2).toFloatArray());
        long big = (1L << 53) + 1; // not a double: a fill through floating point would lose the 1
        assertArrayEquals(new long[] {big, big, big, big}, Tensor.full(device, big, 2, 2).toLongArray());
        assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE},
                Tensor.full(device, Long.MIN_VALUE, 3).toLongArray());
        long pattern = 0x0123_4567_89ab_cdefL; // both halves differ: a 32-bit memset could not make it
        assertArrayEquals(new long[] {pattern, pattern}, Tensor.full(device, pattern, 2).toLongArray());
        assertArrayEquals(new boolean[] {true, true, true}, Tensor.full(device, true, 3).toBooleanArray());
        assertArrayEquals(new boolean[] {false}, Tensor.full(device, false).reshape(1).toBooleanArray());
        float nan = Float.intBitsToFloat(0x7fc12345);
        assertEquals(0x7fc12345, Float.floatToRawIntBits(Tensor.full(device, nan, 1).toFloatArray()[0]));
        assertEquals(DType.INT64, Tensor.full(device, 7, 2).dtype(), "an integer fill value is int64, as in PyTorch");
        assertEquals(DType.FLOAT32, Tensor.full(device, 7f, 2).dtype());
        assertArrayEquals(new long[0], Tensor.full(device, 5L, 0).toLongArray());
        assertArrayEquals(new boolean[0], Tensor.ones(device, DType.BOOL, 3, 0).toBooleanArray());
        // CPU shorthands.
        assertEquals(Device.CPU, Tensor.zeros(DType.BOOL, 2).device());
        assertArrayEquals(new long[] {1, 1}, Tensor.ones(DType.INT64, 2).toLongArray());
    }

    // ---------------------------------------------------------------- bytes counted per dtype

    @Test
    void allocationsCountTheDTypesBytes() {
        Counters.Snapshot d = Placement.of(() -> {
            Tensor.zeros(DType.INT64, 10);
            Tensor.zeros(DType.BOOL, 10);
            Tensor.zeros(DType.FLOAT32, 10);
        }).on(Device.CPU);
        assertEquals(3, d.allocations());
        assertEquals(10L * 8 + 10 + 10L * 4, d.bytesAllocated());
    }

    @Test
    @RequiresCuda
    void copiesBetweenCpuAndCudaCountTheDTypesBytes() {
        Device cuda = Device.cuda(0);
        Tensor l = Tensor.of(LONGS);
        Tensor b = Tensor.of(BOOLS);
        Tensor[] moved = new Tensor[2];
        Counters.Snapshot in = Placement.of(() -> {
            moved[0] = l.to(cuda);
            moved[1] = b.to(cuda);
        }).on(cuda);
        assertEquals(8L * LONGS.length + BOOLS.length, in.bytesHostToDevice());
        assertEquals(8L * LONGS.length + BOOLS.length, in.bytesAllocated());
        Counters.Snapshot out = Placement.of(() -> {
            moved[0].toLongArray();
            moved[1].toBooleanArray();
        }).on(cuda);
        assertEquals(8L * LONGS.length + BOOLS.length, out.bytesDeviceToHost());
    }

    @Test
    void leakReportsNameTheDType() {
        LeakReport.setEnabled(true);
        try {
            Tensor t = Tensor.zeros(DType.INT64, 3);
            List<LeakReport.Allocation> live = LeakReport.live();
            LeakReport.Allocation last = live.get(live.size() - 1);
            assertEquals(DType.INT64, last.dtype());
            assertEquals(3, last.numel());
            assertTrue(last.toString().contains("3 int64 elements on cpu"), last.toString());
            t.close();
        } finally {
            LeakReport.setEnabled(false);
        }
    }

    // ---------------------------------------------------------------- the dtype check

    /** An op given a dtype it does not take, with the roles and dtypes the error must name. */
    private record Case(String op, List<String> roles, List<DType> dtypes, Function<Device, Executable> setup) {
        @Override
        public String toString() {
            return op + " " + dtypes;
        }
    }

    private static Tensor f(Device d, int... shape) {
        return Tensor.zeros(d, shape);
    }

    private static Tensor l(Device d, int... shape) {
        return Tensor.zeros(d, DType.INT64, shape);
    }

    private static Tensor b(Device d, int... shape) {
        return Tensor.zeros(d, DType.BOOL, shape);
    }

    private static List<Case> rejected() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("matmul", List.of("input", "other"), List.of(DType.INT64, DType.FLOAT32), d -> {
            Tensor x = l(d, 2, 3), y = f(d, 3, 4);
            return () -> x.matmul(y);
        }));
        c.add(new Case("linear", List.of("input", "weight", "bias"), List.of(DType.FLOAT32, DType.FLOAT32, DType.BOOL),
                d -> {
                    Tensor x = f(d, 4, 3), w = f(d, 2, 3), bias = b(d, 2);
                    return () -> Functional.linear(x, w, bias);
                }));
        c.add(new Case("mse_loss", List.of("input", "target"), List.of(DType.FLOAT32, DType.INT64), d -> {
            Tensor x = f(d, 4), y = l(d, 4);
            return () -> Functional.mseLoss(x, y);
        }));
        c.add(new Case("add", List.of("input", "other"), List.of(DType.INT64, DType.INT64), d -> {
            Tensor x = l(d, 3), y = l(d, 3);
            return () -> x.add(y);
        }));
        c.add(new Case("mul", List.of("input", "other"), List.of(DType.BOOL, DType.BOOL), d -> {
            Tensor x = b(d, 3), y = b(d);
            return () -> x.mul(y);
        }));
        c.add(new Case("sub", List.of("input", "other"), List.of(DType.INT64, DType.BOOL), d -> {
            Tensor x = l(d, 3), y = b(d, 3);
            return () -> x.sub(y);
        }));
        c.add(new Case("add", List.of("input"), List.of(DType.INT64), d -> {
            Tensor x = l(d, 3);
            return () -> x.add(2f);
        }));
        c.add(new Case("pow", List.of("input"), List.of(DType.INT64), d -> {
            Tensor x = l(d, 3);
            return () -> x.pow(2f);
        }));
        c.add(new Case("relu", List.of("input"), List.of(DType.INT64), d -> {
            Tensor x = l(d, 3);
            return x::relu;
        }));
        c.add(new Case("neg", List.of("input"), List.of(DType.BOOL), d -> {
            Tensor x = b(d, 3);
            return x::neg;
        }));
        c.add(new Case("sum", List.of("input"), List.of(DType.INT64), d -> {
            Tensor x = l(d, 0, 3); // empty: the check comes before the empty shortcut
            return x::sum;
        }));
        c.add(new Case("sum", List.of("input"), List.of(DType.BOOL), d -> {
            Tensor x = b(d, 2, 3);
            return () -> x.sum(1, false);
        }));
        c.add(new Case("mean", List.of("input"), List.of(DType.BOOL), d -> {
            Tensor x = b(d, 2, 3);
            return x::mean; // named mean, though it is made of a sum and a division
        }));
        c.add(new Case("t", List.of("input"), List.of(DType.INT64), d -> {
            Tensor x = l(d, 3); // 1-d: the check comes before the return-as-is shortcut
            return x::t;
        }));
        c.add(new Case("backward", List.of("self", "gradient"), List.of(DType.FLOAT32, DType.INT64), d -> {
            Tensor x = f(d, 3).requiresGrad(true);
            Tensor y = x.mul(2f);
            Tensor g = l(d, 3);
            return () -> y.backward(g, false);
        }));
        c.add(new Case("requiresGrad", List.of("self"), List.of(DType.INT64), d -> {
            Tensor x = l(d, 3);
            return () -> x.requiresGrad(true);
        }));
        c.add(new Case("requiresGrad", List.of("self"), List.of(DType.BOOL), d -> {
            Tensor x = b(d, 3);
            return () -> x.requiresGrad(true);
        }));
        c.add(new Case("toFloatArray", List.of("input"), List.of(DType.INT64), d -> {
            Tensor x = l(d, 3);
            return x::toFloatArray;
        }));
        c.add(new Case("toLongArray", List.of("input"), List.of(DType.FLOAT32), d -> {
            Tensor x = f(d, 3);
            return x::toLongArray;
        }));
        c.add(new Case("toBooleanArray", List.of("input"), List.of(DType.INT64), d -> {
            Tensor x = l(d, 3);
            return x::toBooleanArray;
        }));
        c.add(new Case("item", List.of("input"), List.of(DType.BOOL), d -> {
            Tensor x = b(d);
            return x::item;
        }));
        c.add(new Case("longItem", List.of("input"), List.of(DType.FLOAT32), d -> {
            Tensor x = f(d);
            return x::longItem;
        }));
        c.add(new Case("booleanItem", List.of("input"), List.of(DType.INT64), d -> {
            Tensor x = l(d);
            return x::booleanItem;
        }));
        return c;
    }

    static Stream<Object[]> rejectedOnEveryDevice() {
        return DeviceCases.devicesAndMeta().flatMap(d -> rejected().stream().map(c -> new Object[] {d, c}));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("rejectedOnEveryDevice")
    @CheckDevices
    void opsRejectDTypesTheyDoNotTakeBeforeAnyWork(Device device, Case c) {
        Executable call = c.setup().apply(device);
        DTypeMismatchException[] thrown = new DTypeMismatchException[1];
        Counters.Snapshot d = Placement.of(() -> thrown[0] = assertThrows(DTypeMismatchException.class, call)).on(device);
        DTypeMismatchException e = thrown[0];

        assertEquals(c.op(), e.op());
        assertEquals(c.roles(), e.roles());
        assertEquals(c.dtypes(), e.dtypes());
        String m = e.getMessage();
        assertTrue(m.startsWith(c.op() + ": expected "), m);
        for (int i = 0; i < c.roles().size(); i++) {
            assertTrue(m.contains(c.dtypes().get(i) + " (" + c.roles().get(i) + ")"), m);
        }
        assertTrue(m.contains("convert with .to(DType."), m);
        assertEquals(0, d.allocations() + d.launches() + d.bytesDeviceToHost(), "work before the check: " + d);
    }

    @Test
    void theMessageNamesOpRolesDTypesAndTheFix() {
        Tensor x = Tensor.zeros(DType.INT64, 2, 3);
        Tensor y = Tensor.zeros(3, 4);
        DTypeMismatchException e = assertThrows(DTypeMismatchException.class, () -> x.matmul(y));
        assertEquals("matmul: expected float32 tensors, got int64 (input) and float32 (other); "
                + "convert with .to(DType.FLOAT32)", e.getMessage());
        assertEquals(Set.of(DType.FLOAT32), e.accepted());
        assertTrue(e instanceof TensorjException);

        DTypeMismatchException g = assertThrows(DTypeMismatchException.class,
                () -> Tensor.zeros(DType.BOOL, 2).requiresGrad(true));
        assertEquals("requiresGrad: expected a float32 tensor, got bool (self); convert with .to(DType.FLOAT32) "
                + "first: only tensors of floating point dtype can require gradients", g.getMessage());

        DTypeMismatchException r = assertThrows(DTypeMismatchException.class, () -> Tensor.zeros(DType.INT64, 2).toFloatArray());
        assertEquals("toFloatArray: expected a float32 tensor, got int64 (input); convert with .to(DType.FLOAT32), "
                + "or read it with toLongArray() or toBooleanArray()", r.getMessage());

        DTypeMismatchException a = assertThrows(DTypeMismatchException.class,
                () -> Tensor.zeros(DType.INT64, 2).add(Tensor.zeros(DType.INT64, 2)));
        assertTrue(a.getMessage().startsWith("add: expected float32 tensors, or one float32 tensor with an int64 or "
                + "bool one (computed in float32), got int64 (input) and int64 (other)"), a.getMessage());
    }

    @Test
    void aDeviceMismatchIsReportedBeforeADTypeMismatch() {
        Tensor x = Tensor.zeros(DType.INT64, 2, 3);
        Tensor y = Tensor.zeros(Device.META, 3, 4);
        assertThrows(DeviceMismatchException.class, () -> x.matmul(y));
        assertThrows(DeviceMismatchException.class, () -> x.add(Tensor.zeros(Device.META, DType.INT64, 3)));
        Tensor w = Tensor.zeros(Device.META, 2, 3);
        assertThrows(DeviceMismatchException.class, () -> Functional.linear(x, w, null));
    }

    @Test
    void aClosedTensorIsReportedBeforeItsDType() {
        Tensor x = Tensor.zeros(DType.INT64, 2);
        x.close();
        assertThrows(TensorClosedException.class, x::relu);
        assertThrows(TensorClosedException.class, x::toFloatArray);
        assertThrows(TensorClosedException.class, () -> x.to(DType.BOOL));
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void dataMovingOpsTakeEveryDType(Device device) {
        for (DType dtype : DType.values()) {
            Tensor x = Tensor.ones(device, dtype, 2, 3);
            assertEquals(dtype, x.reshape(3, 2).dtype());
            assertEquals(dtype, x.reshape(-1).dtype());
            assertEquals(dtype, x.detach().dtype());
            assertEquals(dtype, x.to(Device.META).dtype());
            for (DType target : DType.values()) {
                assertEquals(target, x.to(target).dtype());
            }
        }
    }

    // ---------------------------------------------------------------- promotion

    @ParameterizedTest
    @DevicesSource
    void int64AndBoolWithFloat32ComputeInFloat32(Device device) {
        Tensor i = Tensor.of(new long[] {1, -2, 3, 1L << 40, 5, 6}, 2, 3).to(device);
        Tensor x = Tensor.of(new float[] {0.5f, 0.25f, -1f}).to(device);
        Tensor mask = Tensor.of(new boolean[] {true, false, true}).to(device);

        Tensor sum = i.add(x);
        assertEquals(DType.FLOAT32, sum.dtype());
        assertArrayEquals(new float[] {1.5f, -1.75f, 2f, (float) (1L << 40) + 0.5f, 5.25f, 5f}, sum.toFloatArray());
        assertArrayEquals(new float[] {-0.5f, 2.25f, -4f, 0.5f - (1L << 40), -4.75f, -7f}, x.sub(i).toFloatArray());
        assertArrayEquals(new float[] {0.5f, 0f, -1f}, x.mul(mask).toFloatArray());
        assertArrayEquals(new float[] {2f, -8f, -3f, (float) (1L << 41), 20f, -6f}, i.div(x).toFloatArray());
        assertArrayEquals(new float[] {1f, 0f, 1f}, mask.sub(Tensor.zeros(device, 1)).toFloatArray());
        assertArrayEquals(new float[] {2f, Float.POSITIVE_INFINITY, 2f},
                Tensor.full(device, 2f, 3).div(mask).toFloatArray(), "a bool divisor is 0 or 1");
    }

    @ParameterizedTest
    @DevicesSource
    void theGradientFlowsToTheFloat32Operand(Device device) {
        float[] xv = {0.5f, -2f, 4f};
        long[] iv = {3, -1, 2};
        Tensor x = Tensor.of(xv).to(device).requiresGrad(true);
        Tensor i = Tensor.of(iv).to(device);

        // d/dx sum(x·i) = i
        x.mul(i).sum().backward();
        assertArrayEquals(new float[] {3f, -1f, 2f}, x.grad().toFloatArray());
        assertNull(i.grad());
        assertFalse(i.requiresGrad());

        // d/dx sum(i - x) = -1
        x.zeroGrad();
        Tensor y = i.sub(x);
        assertTrue(y.requiresGrad());
        y.sum().backward();
        assertArrayEquals(new float[] {-1f, -1f, -1f}, x.grad().toFloatArray());

        // d/dx sum(i / x) = -i / x²
        x.zeroGrad();
        i.div(x).sum().backward();
        float[] expected = new float[3];
        for (int k = 0; k < 3; k++) {
            expected[k] = -(float) iv[k] / (xv[k] * xv[k]);
        }
        assertArrayEquals(expected, x.grad().toFloatArray(), 1e-6f);

        // d/dx sum(x / i) = 1 / i, broadcast over rows: the gradient sums to x's shape
        x.zeroGrad();
        Tensor rows = Tensor.of(new long[] {1, 2, 4, 1, 2, 4}, 2, 3).to(device);
        x.div(rows).sum().backward();
        assertArrayEquals(new float[] {2f, 1f, 0.5f}, x.grad().toFloatArray(), 1e-6f);
        assertEquals(DType.FLOAT32, x.grad().dtype());
    }

    @Test
    void promotionAgreesWithConvertingFirst() {
        java.util.Random r = new java.util.Random(3);
        long[] iv = new long[12];
        float[] xv = new float[4];
        for (int k = 0; k < iv.length; k++) {
            iv[k] = r.nextInt(2001) - 1000;
        }
        for (int k = 0; k < xv.length; k++) {
            xv[k] = (float) r.nextGaussian();
        }
        Tensor i = Tensor.of(iv, 3, 4);
        Tensor x = Tensor.of(xv);
        Tensor fi = i.to(DType.FLOAT32);
        assertArrayEquals(fi.add(x).toFloatArray(), i.add(x).toFloatArray());
        assertArrayEquals(x.sub(fi).toFloatArray(), x.sub(i).toFloatArray());
        assertArrayEquals(fi.mul(x).toFloatArray(), i.mul(x).toFloatArray());
        assertArrayEquals(x.div(fi).toFloatArray(), x.div(i).toFloatArray());
    }

    @Test
    void castingToInt64OrBoolCutsTheGraph() {
        Tensor x = Tensor.of(new float[] {1.5f, -2f}).requiresGrad(true);
        Tensor l = x.to(DType.INT64);
        assertFalse(l.requiresGrad());
        assertTrue(l.isLeaf());
        Tensor back = l.to(DType.FLOAT32);
        assertFalse(back.requiresGrad());
        assertFalse(x.to(DType.BOOL).requiresGrad());
        assertThrows(IllegalStateException.class, () -> back.sum().backward(), "no graph leads back to x");
        Tensor.zeros(DType.INT64, 2).requiresGrad(false); // turning it off is always fine
    }

    // ---------------------------------------------------------------- meta

    @Test
    void metaTensorsCarryDTypesThroughOps() {
        Tensor i = Tensor.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3).to(Device.META);
        assertEquals(DType.INT64, i.dtype());
        assertEquals(Device.META, i.device());
        Tensor x = Tensor.randn(Device.META, 3).requiresGrad(true);
        Tensor y = i.mul(x);
        assertEquals(DType.FLOAT32, y.dtype());
        assertArrayEquals(new int[] {2, 3}, y.shape());
        y.sum().backward();
        assertEquals(DType.FLOAT32, x.grad().dtype());
        assertArrayEquals(new int[] {3}, x.grad().shape());
        assertEquals(DType.BOOL, i.to(DType.BOOL).reshape(6).dtype());
        assertEquals(DType.BOOL, Tensor.full(Device.META, true, 4).dtype());
        assertEquals(DType.INT64, Tensor.full(Device.META, 4L, 4).dtype());
        assertThrows(MetaTensorReadException.class, i::toLongArray);
        assertThrows(MetaTensorReadException.class, () -> Tensor.ones(Device.META, DType.BOOL).booleanItem());
        assertThrows(DTypeMismatchException.class, () -> i.matmul(Tensor.zeros(Device.META, 3, 1)));
    }
}
