package dev.tensorj.backend.cuda;

import dev.tensorj.CudaUnavailableException;
import dev.tensorj.backend.Backend;

/** One backend per CUDA device, created on first use. */
public final class CudaBackends {
    private CudaBackends() {}

    /**
     * The backend of {@code cuda:index}.
     *
     * @throws CudaUnavailableException when CUDA is unusable or there is no such device
     */
    public static Backend get(int index) {
        CudaStatus status = CudaStatus.get();
        if (!status.available()) {
            throw new CudaUnavailableException("cannot use cuda:" + index + ": CUDA is unavailable: "
                    + status.describe(), status.cause());
        }
        if (index >= status.deviceCount()) {
            throw new CudaUnavailableException("cannot use cuda:" + index + ": this machine has "
                    + status.deviceCount() + " CUDA device(s) (cuda:0 to cuda:" + (status.deviceCount() - 1) + ")", null);
        }
        throw new CudaUnavailableException("cannot use cuda:" + index
                + ": the CUDA backend is not built yet in this version", null);
    }
}
