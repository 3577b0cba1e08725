/**
 * Layers, models and losses, as {@code torch.nn}: {@link dev.tensorj.nn.Module} holds parameters
 * and submodules and moves them between devices with {@code to(Device)};
 * buffers (state that is no parameter, such as running statistics) move with them; layers
 * ({@link dev.tensorj.nn.Linear}, {@link dev.tensorj.nn.Embedding}, {@link dev.tensorj.nn.LayerNorm},
 * {@link dev.tensorj.nn.BatchNorm1d}, {@link dev.tensorj.nn.Dropout}), activations
 * ({@link dev.tensorj.nn.ReLU}, {@link dev.tensorj.nn.GELU}, {@link dev.tensorj.nn.Softmax}, ...),
 * {@link dev.tensorj.nn.Sequential}; the losses, subclasses of {@link dev.tensorj.nn.Loss}
 * ({@link dev.tensorj.nn.CrossEntropyLoss}, {@link dev.tensorj.nn.MSELoss}, ...), each over its
 * {@link dev.tensorj.Functional} op; and {@link dev.tensorj.nn.Init}, the initialisers that work
 * in place on parameters. Everything here is written with the public {@code Tensor} API.
 */
package dev.tensorj.nn;
