/**
 * Optimizers, as {@code torch.optim}: {@link dev.tensorj.optim.Optimizer} and
 * {@link dev.tensorj.optim.SGD}. An optimizer updates parameters in place, on the device they live
 * on. Learning-rate schedulers, as {@code torch.optim.lr_scheduler}, set an optimizer's rate from one
 * epoch to the next: {@link dev.tensorj.optim.LRScheduler} and its subclasses, and
 * {@link dev.tensorj.optim.ReduceLROnPlateau}.
 */
package dev.tensorj.optim;
