package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.CompareOp;
import dev.tensorj.backend.IndexPlan;
import dev.tensorj.backend.RandomKind;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.UnaryOp;
import dev.tensorj.backend.meta.MetaBackend;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What {@link Counters} reports for each backend call, as {@link DeviceBackend} counts it: one launch
 * per kernel (two for a layer norm's backward that also sums columns, none for a host copy, a
 * synchronize or the allocation of nothing), the FLOPs of the products, allocations with their bytes,
 * and transfers in and out of a device other than the cpu. The calls go to a backend that only
 * makes storages of the right size (the meta device's), on a CUDA ordinal that no other test uses,
 * so that the counts are this test's alone and need no GPU.
 */
class DeviceBackendCountingTest {
    /** A device only this test counts on; nothing runs there but the no-op backend below. */
    private static final Device GPU = Device.cuda(14);

    /** The backend calls made so far, by name. */
    private static final List<String> CALLS = new ArrayList<>();

    /**
     * The meta backend's storages and no-op kernels, with host copies that copy nothing instead of
     * refusing; it records each call.
     */
    private static final Backend NO_OP = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
            new Class<?>[] {Backend.class}, (proxy, method, args) -> {
                CALLS.add(method.getName());
                return method.getName().equals("toHost") ? null : method.invoke(MetaBackend.INSTANCE, args);
            });

    private static Counters.Snapshot counted(Device device, Consumer<DeviceBackend> calls) {
        DeviceBackend be = new DeviceBackend(device, NO_OP);
        Counters.Snapshot before = Counters.snapshot(device);
        calls.accept(be);
        return Counters.snapshot(device).minus(before);
    }

    /** The launches that {@code call} counts; it must reach the backend as the one call {@code name}. */
    private static long launches(String name, Consumer<DeviceBackend> call) {
        CALLS.clear();
        Counters.Snapshot d = counted(GPU, call);
        assertEquals(List.of(name), CALLS, "what reached the backend");
        assertEquals(0, d.ops(), "a backend call is no op dispatch");
        assertEquals(0, d.allocations());
        return d.launches();
    }

    @Test
    void everyKernelIsOneLaunch() {
        Storage f = NO_OP.allocate(ScalarType.F32, 12);
        Storage l = NO_OP.allocate(ScalarType.I64, 12);
        Storage b = NO_OP.allocate(ScalarType.BOOL, 12);
        BroadcastPlan plan = BroadcastPlan.of(new int[] {3, 4}, new long[] {4, 1}, new long[] {4, 1});
        IndexPlan index = IndexPlan.of(new int[] {3, 4}, 1, new long[] {4, 1}, new long[] {4, 1}, new long[] {4, 1});
        assertEquals(1, launches("copy", be -> be.copy(f, f)), "copy");
        assertEquals(1, launches("fill", be -> be.fill(f, 1f)), "fill float");
        assertEquals(1, launches("fill", be -> be.fill(l, 1L)), "fill long");
        assertEquals(1, launches("fill", be -> be.fill(b, true)), "fill bool");
        assertEquals(1, launches("cast", be -> be.cast(f, l)), "cast");
        assertEquals(1, launches("unary", be -> be.unary(UnaryOp.EXP, f, f)), "unary");
        assertEquals(1, launches("binary", be -> be.binary(BinaryOp.ADD, f, f, f, plan)), "binary");
        assertEquals(1, launches("compare", be -> be.compare(CompareOp.LT, f, f, b, plan)), "compare");
        assertEquals(1, launches("where", be -> be.where(b, f, f, f, plan)), "where");
        assertEquals(1, launches("binaryScalar", be -> be.binaryScalar(BinaryOp.MUL, f, 2f, f)), "binaryScalar");
        assertEquals(1, launches("axpy", be -> be.axpy(2f, f, f, f)), "axpy");
        assertEquals(1, launches("sumAxis", be -> be.sumAxis(f, 3, 4, 1, f)), "sumAxis");
        assertEquals(1, launches("extremeAxis", be -> be.extremeAxis(true, f, 3, 4, 1, f, l)), "extremeAxis");
        assertEquals(1, launches("gather", be -> be.gather(f, l, f, index)), "gather");
        assertEquals(1, launches("scatterAdd", be -> be.scatterAdd(f, l, f, index)), "scatterAdd");
        assertEquals(1, launches("softmax", be -> be.softmax(false, f, 3, 4, 1, f)), "softmax");
        assertEquals(1, launches("softmaxBackward", be -> be.softmaxBackward(true, f, f, 3, 4, 1, f)));
        assertEquals(1, launches("crossEntropy", be -> be.crossEntropy(f, l, null, 3, 4, -100, 0f, f, f)));
        assertEquals(1, launches("crossEntropyBackward",
                be -> be.crossEntropyBackward(f, l, null, f, f, false, 3, 4, -100, 0f, f)),
                "crossEntropyBackward");
        assertEquals(1, launches("transpose", be -> be.transpose(f, 3, 4, f)), "transpose");
        assertEquals(1, launches("stridedCopy", be -> be.stridedCopy(f, 0, f, 0, plan)), "stridedCopy");
        assertEquals(1, launches("random", be -> be.random("rand", RandomKind.UNIFORM, 1, 0, f, 0f, 1f)), "random");
        assertEquals(1, launches("randint", be -> be.randint(1, 0, l, 0, 10)), "randint");
        assertEquals(1, launches("layerNorm", be -> be.layerNorm(f, null, null, 3, 4, 1e-5f, f, f)), "layerNorm");
        assertEquals(1, launches("layerNormBackward", be -> be.layerNormBackward(f, null, f, f, 3, 4, f, null, null)),
                "layerNormBackward, the input's gradient only");
        assertEquals(2, launches("layerNormBackward", be -> be.layerNormBackward(f, f, f, f, 3, 4, f, f, null)),
                "layerNormBackward with the weight's gradient: its column sums are a kernel of their own");
        assertEquals(2, launches("layerNormBackward", be -> be.layerNormBackward(f, f, f, f, 3, 4, f, null, f)),
                "layerNormBackward with the bias's gradient");
        assertEquals(0, launches("synchronize", DeviceBackend::synchronize), "synchronize launches nothing");
    }

    @Test
    void productsCountTheirFlops() {
        Storage f = NO_OP.allocate(ScalarType.F32, 1);
        CALLS.clear();
        Counters.Snapshot mm = counted(GPU, be -> be.matmul(f, f, f, 3, 5, 7, false, true));
        assertEquals(1, mm.launches());
        assertEquals(2L * 3 * 5 * 7, mm.flops());
        Counters.Snapshot bmm = counted(GPU, be -> be.matmulBatched(f, f, f, 4, 3, 5, 7, true, false, 21, 0, 15));
        assertEquals(List.of("matmul", "matmulBatched"), CALLS);
        assertEquals(1, bmm.launches(), "one strided-batched call");
        assertEquals(2L * 4 * 3 * 5 * 7, bmm.flops());
        // Beyond 2^31: the product is taken in long.
        assertEquals(2L * 65536 * 65536 * 3, counted(GPU, be -> be.matmul(f, f, f, 65536, 65536, 3, false, false))
                .flops());
        assertEquals(0, counted(GPU, be -> be.unary(UnaryOp.NEG, f, f)).flops(), "only products count FLOPs");
    }

    @Test
    void allocationsCountTheirBytesAndTransfersOnlyOffTheCpu() {
        Counters.Snapshot gpu = counted(GPU, be -> {
            be.allocate(DType.FLOAT32, 10);
            be.fromHost(new float[3]);
            be.fromHost(new long[2]);
            be.fromHost(new boolean[5]);
        });
        assertEquals(4, gpu.allocations());
        assertEquals(40 + 12 + 16 + 5, gpu.bytesAllocated());
        assertEquals(12 + 16 + 5, gpu.bytesHostToDevice(), "an allocation moves nothing; fromHost copies in");
        assertEquals(0, gpu.launches());

        Counters.Snapshot cpu = counted(Device.CPU, be -> {
            be.fromHost(new float[3]);
            be.fromHost(new long[2]);
            be.fromHost(new boolean[5]);
        });
        assertEquals(3, cpu.allocations());
        assertEquals(12 + 16 + 5, cpu.bytesAllocated());
        assertEquals(0, cpu.bytesHostToDevice(), "the cpu's own arrays are no transfer");

        Storage f = NO_OP.allocate(ScalarType.F32, 6);
        Storage l = NO_OP.allocate(ScalarType.I64, 6);
        Storage b = NO_OP.allocate(ScalarType.BOOL, 6);
        Consumer<DeviceBackend> reads = be -> {
            be.toHost(f, new float[6]);
            be.toHost(l, new long[6]);
            be.toHost(b, new boolean[6]);
        };
        CALLS.clear();
        Counters.Snapshot out = counted(GPU, reads);
        assertEquals(List.of("toHost", "toHost", "toHost"), CALLS);
        assertEquals(24 + 48 + 6, out.bytesDeviceToHost());
        assertEquals(0, out.launches(), "a host copy is no kernel");
        assertEquals(0, counted(Device.CPU, reads).bytesDeviceToHost());
    }

    @Test
    void aZeroedAllocationCountsTheFillItStandsForWhenThereIsSomethingToFill() {
        Counters.Snapshot some = counted(GPU, be -> be.allocateZeroed(DType.INT64, 3));
        assertEquals(1, some.allocations());
        assertEquals(24, some.bytesAllocated());
        assertEquals(1, some.launches());
        Counters.Snapshot none = counted(GPU, be -> be.allocateZeroed(DType.FLOAT32, 0));
        assertEquals(1, none.allocations());
        assertEquals(0, none.launches(), "nothing to fill");
    }

    @Test
    void aDeviceCountedOnForTheFirstTimeStartsAtZero() {
        // An index no other test (nor an earlier run of this one in the same JVM) has used.
        Device fresh = Device.cuda(1000 + FRESH.getAndIncrement());
        assertEquals(new Counters.Snapshot(fresh, 0, 0, 0, 0, 0, 0, 0), Counters.snapshot(fresh));
        DeviceBackend be = new DeviceBackend(fresh, NO_OP);
        be.countOp();
        be.fill(NO_OP.allocate(ScalarType.F32, 1), 0f);
        assertEquals(new Counters.Snapshot(fresh, 1, 1, 0, 0, 0, 0, 0), Counters.snapshot(fresh));
        assertEquals(true, Counters.devices().contains(fresh));
    }

    private static final java.util.concurrent.atomic.AtomicInteger FRESH =
            new java.util.concurrent.atomic.AtomicInteger(new java.util.Random().nextInt(1 << 20));

    @Test
    void anOpIsCountedOnceOnItsDevice() {
        Counters.Snapshot d = counted(GPU, DeviceBackend::countOp);
        assertEquals(1, d.ops());
        assertEquals(0, d.launches());
    }
}
