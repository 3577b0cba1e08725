/**
 * Tensors on devices: {@link dev.tensorj.Device} (cpu, cuda:N, meta), {@link dev.tensorj.Tensor}
 * and its ops, autograd ({@link dev.tensorj.NoGrad}, {@link dev.tensorj.AnomalyMode}), the
 * stateless ops behind the layers ({@link dev.tensorj.Functional}), placement made visible
 * ({@link dev.tensorj.Counters}, {@link dev.tensorj.IdleGpuPolicy}, {@link dev.tensorj.LeakReport})
 * and the exceptions, all subclasses of {@link dev.tensorj.TensorjException}.
 *
 * <p>Every op checks, before it computes or allocates anything, that its tensor operands are open
 * and on one device; otherwise it throws a {@link dev.tensorj.DeviceMismatchException} that names
 * the op, each operand's role and device, and the fix. Data crosses devices only through
 * {@link dev.tensorj.Tensor#to(Device)}.
 */
package dev.tensorj;
