/**
 * Tensors on devices: {@link dev.tensorj.Device} (cpu, cuda:N, meta), {@link dev.tensorj.Tensor}
 * and its ops, autograd ({@link dev.tensorj.NoGrad}, {@link dev.tensorj.AnomalyMode}, and ops of
 * your own by their forward and backward: {@link dev.tensorj.AutogradFunction}), the
 * stateless ops behind the layers ({@link dev.tensorj.Functional}), placement made visible
 * ({@link dev.tensorj.Counters}, {@link dev.tensorj.IdleGpuPolicy}, {@link dev.tensorj.LeakReport})
 * and the exceptions, all subclasses of {@link dev.tensorj.TensorjException}.
 *
 * <p>Every op checks, before it computes or allocates anything, that its tensor operands are
 * present, open, on one device and of a {@link dev.tensorj.DType} it takes; otherwise it throws a
 * {@link dev.tensorj.DeviceMismatchException} (or a {@link dev.tensorj.DTypeMismatchException})
 * that names the op, each operand's role and device (or dtype), and the fix. Data crosses devices
 * only through {@link dev.tensorj.Tensor#to(Device)}.
 */
package dev.tensorj;
