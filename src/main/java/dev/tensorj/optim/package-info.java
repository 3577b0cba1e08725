/**
 * Optimizers, as {@code torch.optim}: {@link dev.tensorj.optim.Optimizer}, {@link dev.tensorj.optim.SGD},
 * {@link dev.tensorj.optim.Adam}, {@link dev.tensorj.optim.AdamW}, {@link dev.tensorj.optim.RMSprop}
 * and {@link dev.tensorj.optim.Adagrad}. An optimizer updates parameters in place, on the device
 * they live on.
 */
package dev.tensorj.optim;
