/**
 * Optimizers, as {@code torch.optim}: {@link dev.tensorj.optim.Optimizer} and
 * {@link dev.tensorj.optim.SGD}. An optimizer updates parameters in place, on the device they live
 * on.
 */
package dev.tensorj.optim;
