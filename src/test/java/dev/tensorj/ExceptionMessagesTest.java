package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorj.backend.cpu.CpuBackend;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The messages and fields of tensorj's exceptions as users read them: the op first (when there is
 * one), every operand's role, the sizes in the unit a person reads, and the fix.
 */
class ExceptionMessagesTest {

    @Test
    void theOpPrefixesTheMessageOnlyWhenThereIsOne() {
        TensorjException named = new IndexOutOfRangeException("gather", "index 7 is out of range");
        assertEquals("gather", named.op());
        assertEquals("gather: index 7 is out of range", named.getMessage());
        CudaUnavailableException unnamed = new CudaUnavailableException("no driver", null);
        assertNull(unnamed.op());
        assertEquals("no driver", unnamed.getMessage());
        IllegalStateException cause = new IllegalStateException("why");
        assertSame(cause, new CudaUnavailableException("no cuBLAS", cause).getCause());
        assertEquals("backward: NaN", new AnomalyException("backward", "NaN").getMessage());
        assertEquals("step", new IdleGpuException("step", "GPU idle").op());
        assertEquals("item", new MetaTensorReadException("item", "no data").op());
    }

    @Test
    void outOfMemoryGivesSizesInTheLargestUnitTheyReach() {
        long kib = 1024;
        long mib = 1024 * kib;
        long gib = 1024 * mib;
        CudaOutOfMemoryException e = new CudaOutOfMemoryException("matmul", Device.cuda(1), mib, gib, 3 * gib / 2);
        assertEquals("matmul: CUDA out of memory on cuda:1: tried to allocate 1.0 MiB (1048576 bytes); the device has "
                + "1.00 GiB free of 1.50 GiB total (1073741824 of 1610612736 bytes). Close tensors you no longer need, "
                + "or use smaller batches", e.getMessage());
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", e.errorName());
        assertEquals(Device.cuda(1), e.device());
        assertEquals(mib, e.requestedBytes());
        assertEquals(gib, e.freeBytes());
        assertEquals(3 * gib / 2, e.totalBytes());
        String justBelow = new CudaOutOfMemoryException("add", Device.cuda(0), mib - 1, gib - 1, 0).getMessage();
        assertEquals(true, justBelow.contains("tried to allocate 1024.0 KiB (1048575 bytes)"), justBelow);
        assertEquals(true, justBelow.contains("has 1024.0 MiB free of 0.0 KiB total"), justBelow);
    }

    @Test
    void aHostArrayHoldsUpToTheLimitAndNotOneElementMore() {
        int max = CpuBackend.MAX_ELEMENTS;
        assertEquals(max, HostArrayLimitException.check("toFloatArray", max, new int[] {max}, "a host copy"));
        assertEquals(0, HostArrayLimitException.check("zeros", 0, new int[] {0}, "a cpu tensor"));
        HostArrayLimitException e = assertThrows(HostArrayLimitException.class,
                () -> HostArrayLimitException.check("toFloatArray", max + 1L, new int[] {2, 1073741824}, "a host copy"));
        assertEquals("toFloatArray", e.op());
        assertEquals(max + 1L, e.numel());
        assertEquals("toFloatArray: a host copy of shape [2, 1073741824] would hold 2147483640 elements, more than the "
                + "2147483639 that one Java array (and so a cpu tensor or a host copy) can hold; keep it on a cuda "
                + "device, or reduce it there first", e.getMessage());
    }

    @Test
    void aDeviceMismatchListsEveryOperandAndSuggestsTheGpu() {
        DeviceMismatchException three = new DeviceMismatchException("linear", List.of("input", "weight", "bias"),
                List.of(Device.CPU, Device.cuda(1), Device.cuda(0)));
        assertEquals("linear: expected all tensors on one device, got cpu (input), cuda:1 (weight) and cuda:0 (bias); "
                + "move them with .to(cuda:1)", three.getMessage());
        assertEquals(List.of("input", "weight", "bias"), three.roles());
        assertEquals(List.of(Device.CPU, Device.cuda(1), Device.cuda(0)), three.devices());
        DeviceMismatchException noGpu = new DeviceMismatchException("add", List.of("input", "other"),
                List.of(Device.META, Device.CPU));
        assertEquals("add: expected all tensors on one device, got meta (input) and cpu (other); move them with .to(meta)",
                noGpu.getMessage());
    }

    @Test
    void aDTypeMismatchListsEveryOperandAndSuggestsAnAcceptedDType() {
        DTypeMismatchException three = new DTypeMismatchException("where", "float32 tensors",
                List.of("input", "other", "condition"), List.of(DType.INT64, DType.FLOAT32, DType.FLOAT32),
                EnumSet.of(DType.FLOAT32), null);
        assertEquals("where: expected float32 tensors, got int64 (input), float32 (other) and float32 (condition); "
                + "convert with .to(DType.FLOAT32)", three.getMessage());
        assertEquals(List.of("input", "other", "condition"), three.roles());
        assertEquals(List.of(DType.INT64, DType.FLOAT32, DType.FLOAT32), three.dtypes());
        assertEquals(Set.of(DType.FLOAT32), three.accepted());
        DTypeMismatchException noFloat = new DTypeMismatchException("logicalNot", "bool or int64 tensors",
                List.of("input"), List.of(DType.FLOAT32), EnumSet.of(DType.INT64, DType.BOOL), "; or compare it with 0");
        assertEquals("logicalNot: expected bool or int64 tensors, got float32 (input); convert with .to(DType.INT64)"
                + "; or compare it with 0", noFloat.getMessage());
    }

    @Test
    void shapesAreHandedOutAsCopies() {
        ShapeMismatchException e = new ShapeMismatchException("matmul", "cannot multiply", new int[] {2, 3},
                new int[] {4});
        List<int[]> shapes = e.shapes();
        assertEquals(2, shapes.size());
        assertArrayEquals(new int[] {2, 3}, shapes.get(0));
        assertArrayEquals(new int[] {4}, shapes.get(1));
        shapes.get(0)[1] = 77;
        assertArrayEquals(new int[] {2, 3}, e.shapes().get(0));
        assertNotSame(e.shapes().get(1), e.shapes().get(1));
        assertEquals("matmul: cannot multiply", e.getMessage());
    }

    @Test
    void safetensorsErrorsNameTheFileAndTheEntryAtFault() {
        Path p = Path.of("weights.safetensors");
        SafetensorsException entry = new SafetensorsException("Safetensors.load", p, "fc.weight", "dtype 'X' is unknown",
                null);
        assertEquals("Safetensors.load: weights.safetensors, entry 'fc.weight': dtype 'X' is unknown", entry.getMessage());
        assertEquals(p, entry.path());
        assertEquals("fc.weight", entry.entry());
        SafetensorsException file = new SafetensorsException("Safetensors.load", p, null, "the header is not JSON", null);
        assertEquals("Safetensors.load: weights.safetensors: the header is not JSON", file.getMessage());
        assertNull(file.entry());
    }

    @Test
    void aClosedTensorIsDescribed() {
        TensorClosedException e = new TensorClosedException("add", "other", new int[] {2, 3}, Device.META);
        assertEquals("add: other tensor [2, 3] on meta was closed; its memory is gone. Keep it open until its last use",
                e.getMessage());
    }
}
