#!/usr/bin/env python3
"""PyTorch's half of the GPU benchmark: the same cases, shapes and method as tensorj's
dev.tensorj.bench.GpuBenchmark. TF32 is off (tensorj's default), so both do exact FP32 matmuls.
Prints one RESULT line per case for run-gpu.sh.
"""
import statistics
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.set_float32_matmul_precision("highest")


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def timed(step, warmup, repeats, steps):
    """Per-step milliseconds of each repeat; synchronised before every clock read."""
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    ms = []
    for _ in range(repeats):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        torch.cuda.synchronize()
        ms.append((time.perf_counter() - t0) * 1e3 / steps)
    return ms


def report(name, ms, extra):
    print(f"RESULT impl=pytorch case={name} median_ms={statistics.median(ms):.4f} "
          f"p10_ms={percentile(ms, 10):.4f} p90_ms={percentile(ms, 90):.4f} {extra}", flush=True)


def train(name, model, batch, n_in, n_out, warmup, repeats, steps):
    dev = torch.device("cuda:0")
    model = model.to(dev)
    x = torch.randn(batch, n_in, device=dev)
    y = torch.randn(batch, n_out, device=dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    mse = torch.nn.MSELoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = mse(model(x), y)
        loss.backward()
        opt.step()

    with torch.no_grad():
        before = mse(model(x), y).item()
    ms = timed(step, warmup, repeats, steps)
    with torch.no_grad():
        after = mse(model(x), y).item()
    report(name, ms, f"loss_before={before:.6f} loss_after={after:.6f}")


def sgemm(n, warmup, repeats, steps):
    dev = torch.device("cuda:0")
    a = torch.randn(n, n, device=dev)
    b = torch.randn(n, n, device=dev)
    with torch.no_grad():
        ms = timed(lambda: torch.matmul(a, b), warmup, repeats, steps)
    tflops = 2.0 * n ** 3 / (statistics.median(ms) * 1e-3) / 1e12
    report(f"sgemm{n}", ms, f"tflops={tflops:.2f}")


def main():
    torch.manual_seed(0)
    nn = torch.nn
    print(f"DEVICE {torch.cuda.get_device_name(0)} torch {torch.__version__} cuda {torch.version.cuda} "
          f"tf32 matmul={torch.backends.cuda.matmul.allow_tf32}", flush=True)
    train("S1", nn.Linear(10, 1), 32, 10, 1, 500, 30, 100)
    train("S2", nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 1)), 32, 10, 1, 500, 30, 100)
    train("S3", nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                              nn.Linear(1024, 10)), 256, 784, 10, 100, 30, 20)
    sgemm(4096, 5, 20, 5)


if __name__ == "__main__":
    main()
