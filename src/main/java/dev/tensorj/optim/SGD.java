package dev.tensorj.optim;

import dev.tensorj.Tensor;
import dev.tensorj.backend.SgdParams;
import dev.tensorj.internal.TensorAccess;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with PyTorch's update rule, including momentum, dampening,
 * Nesterov and weight decay (see {@link SgdParams}). Each parameter is updated by one fused
 * kernel on its own device.
 */
public class SGD extends Optimizer {
    private final float lr;
    private final float momentum;
    private final float dampening;
    private final float weightDecay;
    private final boolean nesterov;
    private final Map<Tensor, Tensor> momentumBuffers = new IdentityHashMap<>();

    public SGD(Collection<Tensor> params, float lr) {
        this(params, lr, 0f, 0f, 0f, false);
    }

    public SGD(Collection<Tensor> params, float lr, float momentum) {
        this(params, lr, momentum, 0f, 0f, false);
    }

    /**
     * @throws IllegalArgumentException for a negative rate, momentum or weight decay, or Nesterov
     *     without momentum or with dampening
     */
    public SGD(Collection<Tensor> params, float lr, float momentum, float dampening, float weightDecay,
               boolean nesterov) {
        super(params);
        if (!(lr >= 0f) || !(momentum >= 0f) || !(weightDecay >= 0f)) {
            throw new IllegalArgumentException("SGD: lr, momentum and weightDecay must be >= 0, got lr=" + lr
                    + ", momentum=" + momentum + ", weightDecay=" + weightDecay);
        }
        if (nesterov && (momentum <= 0f || dampening != 0f)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
        }
        this.lr = lr;
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    /**
     * Updates every parameter that has a gradient. All parameters are checked first, so a device
     * or shape error leaves every parameter and buffer unchanged.
     *
     * @throws dev.tensorj.DeviceMismatchException if a parameter, its gradient and its momentum
     *     buffer are not on one device (e.g. the model was moved after the first step: build the
     *     optimizer after moving the model)
     */
    @Override
    public void step() {
        dev.tensorj.IdleGpuPolicy.checkStep(this, params);
        TensorAccess access = TensorAccess.get();
        for (Tensor p : params) {
            if (p.grad() != null) {
                access.checkSgd("sgd.step", p, p.grad(), momentumBuffers.get(p));
            }
        }
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            Tensor buf = momentumBuffers.get(p);
            boolean first = momentum != 0f && buf == null;
            buf = access.sgdStep("sgd.step", p, g, buf,
                    new SgdParams(lr, momentum, dampening, weightDecay, nesterov, first));
            if (first) {
                momentumBuffers.put(p, buf);
            }
        }
    }

    public float lr() {
        return lr;
    }
}
