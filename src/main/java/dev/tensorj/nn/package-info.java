/**
 * Layers, models and losses, as {@code torch.nn}: {@link dev.tensorj.nn.Module} holds parameters
 * and submodules and moves them between devices with {@code to(Device)};
 * {@link dev.tensorj.nn.Linear}, {@link dev.tensorj.nn.ReLU}, {@link dev.tensorj.nn.Sequential};
 * the losses, subclasses of {@link dev.tensorj.nn.Loss} ({@link dev.tensorj.nn.CrossEntropyLoss},
 * {@link dev.tensorj.nn.MSELoss}, ...), each over its {@link dev.tensorj.Functional} op. Everything
 * here is written with the public {@code Tensor} API.
 */
package dev.tensorj.nn;
