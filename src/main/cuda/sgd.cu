// One fused SGD update, PyTorch's rule, in the CPU backend's exact operation order (see
// SgdParams). buf is null without momentum. g is not __restrict__: it may be w itself (a gradient
// passed to backward() that shares the parameter's memory), which the CPU backend handles too.
#include "ops.cuh"

extern "C" __global__ void tj_sgd_step(float* w, const float* g, float* buf, long long n,
                                       float lr, float momentum, float dampening, float weightDecay,
                                       int nesterov, int firstStep) {
    TJ_FOR(i, n) {
        // Weight decay 0 adds nothing (PyTorch skips it): no 0 * inf = NaN from an infinite weight.
        float d = weightDecay != 0.0f ? g[i] + weightDecay * w[i] : g[i];
        if (buf != nullptr) {
            float b = firstStep ? d : momentum * buf[i] + (1.0f - dampening) * d;
            buf[i] = b;
            d = nesterov ? d + momentum * b : b;
        }
        w[i] = w[i] - lr * d;
    }
}
