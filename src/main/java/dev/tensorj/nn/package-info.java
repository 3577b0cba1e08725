/**
 * Layers, models and losses, as {@code torch.nn}: {@link dev.tensorj.nn.Module} holds parameters
 * and submodules and moves them between devices with {@code to(Device)};
 * {@link dev.tensorj.nn.Linear}, {@link dev.tensorj.nn.ReLU}, {@link dev.tensorj.nn.Sequential};
 * {@link dev.tensorj.nn.MSELoss}. Everything here is written with the public {@code Tensor} API.
 */
package dev.tensorj.nn;
