/**
 * Optimizers, as {@code torch.optim}: {@link dev.tensorj.optim.Optimizer}, {@link dev.tensorj.optim.SGD},
 * {@link dev.tensorj.optim.Adam}, {@link dev.tensorj.optim.AdamW}, {@link dev.tensorj.optim.RMSprop}
 * and {@link dev.tensorj.optim.Adagrad}. An optimizer updates parameters in place, on the device
 * they live on.
 * Learning-rate schedulers, as {@code torch.optim.lr_scheduler}, set an optimizer's rate from one
 * epoch to the next: {@link dev.tensorj.optim.LRScheduler} and its subclasses, and
 * {@link dev.tensorj.optim.ReduceLROnPlateau}.
 */
package dev.tensorj.optim;
