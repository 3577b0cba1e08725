package dev.tensorj.bench;

import dev.tensorj.CudaAvailability;
import dev.tensorj.Device;

/**
 * Prints what {@link Device#cudaStatus()} says and exits 0 when its reason is the one expected
 * (first argument), else 1. The GPU script runs it without the cuBLAS 12 shim to check that a
 * missing cuBLAS is reported as such, with no fallback: {@code CudaStatusPrint CUBLAS_MISSING}.
 */
public final class CudaStatusPrint {
    private CudaStatusPrint() {}

    public static void main(String[] args) {
        CudaAvailability s = Device.cudaStatus();
        System.out.println("cudaStatus: " + s.reason() + ": " + s.message());
        boolean ok = args.length == 0 || s.reason().name().equals(args[0]);
        if (!s.available()) {
            try {
                Device.cuda().toString();
                dev.tensorj.Tensor.zeros(Device.cuda(), 2);
                System.out.println("ERROR: a CUDA tensor was created although CUDA is unavailable");
                ok = false;
            } catch (dev.tensorj.CudaUnavailableException e) {
                System.out.println("first CUDA use: " + e.getMessage());
            }
        }
        System.out.println(ok ? "as expected" : "NOT as expected (wanted " + args[0] + ")");
        System.exit(ok ? 0 : 1);
    }
}
