#!/usr/bin/env python3
"""Reads the RESULT lines of both benchmark logs, prints the comparison table and writes
results.md. usage: report.py TENSORJ_LOG TORCH_LOG OUT_MD INFO_FILE
INFO_FILE: key=value lines (date, commit, gpu, driver, ...) written by run-gpu.sh.
"""
import re
import sys

CASES = [("S1", "Linear(10,1), batch 32: training step"),
         ("S2", "Linear(10,20)-ReLU-Linear(20,1), batch 32: training step"),
         ("S3", "784-1024-ReLU-1024-ReLU-10, batch 256: training step"),
         ("sgemm4096", "sgemm 4096x4096x4096, FP32 (TF32 off)")]


def results(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("RESULT "):
                    kv = dict(re.findall(r"(\w+)=(\S+)", line))
                    out[kv["case"]] = kv
    except FileNotFoundError:
        pass
    return out


def main():
    tj, pt, md, info_path = sys.argv[1:5]
    tj, pt = results(tj), results(pt)
    info = {}
    with open(info_path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                info[k] = v
    rows = []
    for case, what in CASES:
        a, b = tj.get(case), pt.get(case)
        ta = float(a["median_ms"]) if a else None
        tb = float(b["median_ms"]) if b else None
        ratio = f"{ta / tb:.2f}" if ta and tb else "n/a"
        extra = ""
        if a and "tflops" in a:
            extra = f"{a['tflops']} vs {b['tflops'] if b else 'n/a'} TFLOPS"
        fmt = lambda t: f"{t:.4f}" if t is not None else "n/a"
        rows.append((case, what, fmt(ta), fmt(tb), ratio, extra))
    lines = ["| case | what | tensorj median ms | PyTorch median ms | tensorj/PyTorch | note |",
             "|---|---|---:|---:|---:|---|"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} |" for r in rows]
    head = ["# GPU benchmark: tensorj vs PyTorch", ""]
    head += [f"- {k}: {v}" for k, v in info.items()]
    head += ["", "Median time per step over 30 timed runs of 100 steps (S3: 30 of 20; sgemm: 20 of 5) after",
             "warm-up; the device is synchronised before each clock read. Lower is better; the ratio is",
             "tensorj / PyTorch. Logs: run-gpu.log, tests.log, bench-tensorj.log, bench-pytorch.log.", ""]
    with open(md, "w") as f:
        f.write("\n".join(head + lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
