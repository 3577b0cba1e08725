#!/usr/bin/env bash
# The one GPU script, for the lent GPU machine (H100/H200, driver R580 = CUDA 13, python3 with
# PyTorch cu130, nvcc 13; no Java, no Maven, no network). Needs .gpu/ from prepare.sh, carried.
# Run from the repository root:  bash benchmarks/gpu/run-gpu.sh
#  1. records the machine (nvidia-smi), finds libcublas.so.13
#  2. builds the forwarding libcublas.so.12 that JCuda 12.6's libJCublas2 needs (cublas12-shim/)
#  3. runs every test with the CUDA tests enabled (JUnit console, XML reports)
#  4. runs the benchmark in tensorj and in PyTorch, prints the comparison table last
# Logs, JUnit reports and results.md go to $OUT. REHEARSE=1 runs it on a machine without a GPU:
# a fake libcublas.so.13, CUDA tests skip, benchmarks are skipped.
set -uo pipefail
root="$(pwd)"
OUT="${OUT:-$root/gpu-out}"
mkdir -p "$OUT"
work="$(mktemp -d)"
exec > >(tee -a "$OUT/run-gpu.log") 2>&1
step() { echo; echo "== $(date +%T) $*"; }
rehearse="${REHEARSE:-0}"
[[ -d .gpu/lib && -f .gpu/jre.tgz ]] || { echo "no .gpu/: run benchmarks/gpu/prepare.sh and carry .gpu" >&2; exit 1; }

step "machine"
if command -v nvidia-smi >/dev/null; then
    nvidia-smi | tee "$OUT/nvidia-smi.txt"
    gpu_name="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
    driver="$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1)"
else
    gpu_name="none (rehearsal)"
    driver="none"
fi
echo "GPU: $gpu_name, driver $driver"

step "libcublas.so.13"
if [[ "$rehearse" == 1 ]]; then
    bash benchmarks/gpu/cublas12-shim/build.sh .gpu/shim-src "$work/fake" --fake >/dev/null
    cublas13="$work/fake/fake13/libcublas.so.13"
else
    cublas13="$(python3 - <<'PY'
import glob, os, site, sys
roots = [p for p in sys.path + site.getsitepackages() if os.path.isdir(os.path.join(p, "nvidia"))]
hits = []
for r in roots:
    hits += glob.glob(os.path.join(r, "nvidia", "**", "libcublas.so.13*"), recursive=True)
hits += glob.glob("/usr/local/cuda*/lib64/libcublas.so.13*") + glob.glob("/usr/lib/x86_64-linux-gnu/libcublas.so.13*")
hits = [h for h in hits if os.path.basename(h) == "libcublas.so.13"] or hits
print(hits[0] if hits else "")
PY
)"
fi
if [[ -z "$cublas13" || ! -e "$cublas13" ]]; then
    echo "libcublas.so.13 not found (python site-packages nvidia/*, /usr/local/cuda*/lib64)" >&2
else
    echo "found $cublas13"
fi
cublas_dir="$(dirname "${cublas13:-/nonexistent/x}")"

step "without cuBLAS 12, CUDA must say so (no fallback)"
"$work/jre/bin/java" -version >/dev/null 2>&1 || tar xzf .gpu/jre.tgz -C "$work"
"$work/jre/bin/java" -cp "$(ls .gpu/lib/*.jar | tr '\n' ':')" dev.tensorj.bench.CudaStatusPrint \
    "$([[ "$rehearse" == 1 ]] && echo NO_DRIVER || echo CUBLAS_MISSING)" 2>&1 | tee "$OUT/no-cublas.log"

step "cublas12 shim"
bash benchmarks/gpu/cublas12-shim/build.sh .gpu/shim-src "$work/shim"
export TENSORJ_CUBLAS13="$cublas13" TENSORJ_SHIM_VERBOSE=1
export LD_LIBRARY_PATH="$work/shim:$cublas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

step "java runtime"
java="$work/jre/bin/java"
"$java" -version
cp="$(ls .gpu/lib/*.jar | tr '\n' ':')"
log_props=(-Dorg.slf4j.simpleLogger.defaultLogLevel=info)

step "cuBLAS through the shim"
"$java" -cp "$cp" dev.tensorj.backend.cuda.CublasLoadCheck

step "tests (JUnit console; CUDA tests enabled when a device is usable)"
timeout 240 "$java" "${log_props[@]}" -jar .gpu/tools/junit-platform-console-standalone-*.jar execute \
    --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii --class-path "$cp" \
    --scan-class-path .gpu/lib/tensorj-tests.jar --reports-dir "$OUT/junit" > "$OUT/tests.log" 2>&1
tests_rc=$?
echo "failed [X] and skipped [A] tests:"
grep -E "\[X\]|\[A\]" "$OUT/tests.log" | sed 's/^[|+ \x27-]*//' | head -40
grep -E "^\[ +[0-9]+ tests (found|successful|failed|aborted)" "$OUT/tests.log"
if ! grep -qE "^\[ +[1-9][0-9]* tests found" "$OUT/tests.log"; then
    echo "no tests found: see tests.log"
    tests_rc=1
fi
echo "tests exit code: $tests_rc (full log: tests.log, XML reports: junit/)"

if [[ "$rehearse" == 1 ]]; then
    step "benchmarks skipped in a rehearsal; the tensorj one must report that CUDA is unavailable"
    "$java" -cp "$cp" dev.tensorj.bench.GpuBenchmark; echo "GpuBenchmark exit code $? (2: no CUDA)"
    python3 -m py_compile benchmarks/gpu/torch_bench.py benchmarks/gpu/report.py && echo "python scripts compile"
    exit "$tests_rc"
fi

step "tensorj benchmark"
timeout 150 "$java" "${log_props[@]}" -cp "$cp" dev.tensorj.bench.GpuBenchmark 2>&1 | tee "$OUT/bench-tensorj.log"

step "PyTorch benchmark"
timeout 120 python3 benchmarks/gpu/torch_bench.py 2>&1 | tee "$OUT/bench-pytorch.log"

step "results"
{
    echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
    echo "commit=$(tr '\n' ' ' < .gpu/commit.txt)"
    echo "gpu=$gpu_name"
    echo "driver=$driver"
    echo "tensorj device=$(grep -m1 '^DEVICE' "$OUT/bench-tensorj.log" | cut -d' ' -f2-)"
    echo "pytorch=$(grep -m1 '^DEVICE' "$OUT/bench-pytorch.log" | cut -d' ' -f2-)"
    echo "java=$("$java" -version 2>&1 | head -1)"
    echo "cublas=$cublas13 (through the cublas12 shim)"
    echo "tests=$(grep -E '^\[ +[0-9]+ tests (successful|failed|aborted)' "$OUT/tests.log" | tr -d '[]' | xargs | sed 's/ \([0-9]\)/, \1/g') (aborted = skipped by an assumption)"
} > "$OUT/info.txt"
python3 benchmarks/gpu/report.py "$OUT/bench-tensorj.log" "$OUT/bench-pytorch.log" "$OUT/results.md" "$OUT/info.txt"
echo "tests exit code: $tests_rc; logs and results.md in $OUT"
