package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.BackendException;
import dev.tensorj.junit.RequiresCuda;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A PTX the driver's JIT rejects fails with the module, the device and the JIT's error log. */
class KernelLoadErrorTest {
    /** An ISA no driver knows: rejected by a real driver's JIT and by the emulator's check alike. */
    private static final String BROKEN_PTX = ".version 99.0\n.target sm_75\n.address_size 64\n\n"
            + ".visible .entry tj_unary(\n\t.param .u32 tj_unary_param_0\n)\n{\n\tret;\n}\n";

    @Test
    @RequiresCuda
    void aRejectedPtxReportsTheModuleTheDeviceAndTheJitLog() {
        CudaContext ctx = ((CudaBackend) CudaBackends.get(0)).context();
        ctx.bind();
        // The backend's own exception (the engine's DeviceBackend turns it into a CudaException).
        BackendException e = assertThrows(BackendException.class,
                () -> CudaKernels.load(ctx, "broken_for_test", BROKEN_PTX.getBytes(StandardCharsets.US_ASCII)));
        String m = e.getMessage();
        assertEquals(BackendException.Kind.DEVICE_ERROR, e.kind());
        assertEquals("init (loading kernels)", e.op());
        assertTrue(e.errorName().startsWith("CUDA_ERROR_"), e.errorName());
        assertTrue(m.contains("broken_for_test.ptx") && m.contains("cuda:0"), m);
        String marker = "JIT error log: ";
        assertTrue(m.contains(marker), m);
        String log = m.substring(m.indexOf(marker) + marker.length());
        assertTrue(!log.isBlank() && !log.startsWith("(empty)"), "the JIT's error log is missing: " + m);
    }

    @Test
    @RequiresCuda
    void theShippedPtxLoadsThroughTheSameCall() throws Exception {
        CudaContext ctx = ((CudaBackend) CudaBackends.get(0)).context();
        ctx.bind();
        byte[] ptx = Files.readAllBytes(Path.of("src/main/resources/dev/tensorj/cuda/elementwise.ptx"));
        // Kept loaded, as the backend keeps its modules for the context's life.
        assertNotNull(CudaKernels.load(ctx, "elementwise", ptx));
    }
}
