package dev.tensorj;

import dev.tensorj.backend.SgdParams;
import dev.tensorj.internal.Holder;
import dev.tensorj.internal.TensorAccess;
import java.util.Arrays;

/** The in-place operations behind {@link TensorAccess}, with the usual single device check. */
final class TensorAccessImpl implements TensorAccess {
    private TensorAccessImpl() {}

    static void install() {
        Holder.install(new TensorAccessImpl());
    }

    @Override
    public void checkSgd(String op, Tensor param, Tensor grad, Tensor buf) {
        check(op, param, grad, buf);
    }

    private static DeviceBackend check(String op, Tensor param, Tensor grad, Tensor buf) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "param", param, "grad", grad, Dispatch.optional("momentum_buffer"), buf);
        if (!Arrays.equals(param.shapeRef(), grad.shapeRef())) {
            throw new ShapeMismatchException(op, "grad " + Shapes.str(grad.shapeRef()) + " does not match param "
                    + Shapes.str(param.shapeRef()), param.shapeRef(), grad.shapeRef());
        }
        return be;
    }

    @Override
    public Tensor sgdStep(String op, Tensor param, Tensor grad, Tensor buf, SgdParams p) {
        DeviceBackend be = check(op, param, grad, buf);
        if (buf == null && p.momentum != 0f) {
            buf = Tensor.empty(op, be, param.shape()); // filled by the kernel on this first step
        }
        if (param.numel() > 0) {
            be.sgdStep(param.storage(), grad.storage(), buf == null ? null : buf.storage(), p);
        }
        return buf;
    }
}
