package dev.tensorj.backend.cuda;

import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;

/**
 * A first, narrow check for run-gpu.sh: loads JCuda's libJCublas2 (which needs libcublas.so.12:
 * CUDA 12's own, or the cublas12 shim in front of CUDA 13's) and creates and destroys a cuBLAS
 * handle. Exit code 0 when that works. In the rehearsal on the CPU emulator the shim forwards to
 * the emulator's libcublas.so.13, which checks the shim's symbol versions against the real
 * libJCublas2 end to end.
 */
public final class CublasLoadCheck {
    private CublasLoadCheck() {}

    public static void main(String[] args) {
        try {
            JCublas2.setExceptionsEnabled(false);
            JCublas2.initialize();
            cublasHandle h = new cublasHandle();
            int created = JCublas2.cublasCreate(h);
            int destroyed = created == 0 ? JCublas2.cublasDestroy(h) : -1;
            System.out.println("libJCublas2 loaded; cublasCreate returned " + created + ", cublasDestroy " + destroyed);
            System.exit(created == 0 && destroyed == 0 ? 0 : 1);
        } catch (Throwable e) {
            System.out.println("libJCublas2 could not be used: " + e);
            System.exit(1);
        }
    }
}
