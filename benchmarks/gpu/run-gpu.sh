#!/usr/bin/env bash
# tensorj's GPU check and benchmark, for any Linux x86-64 machine with an NVIDIA GPU.
#
# The GPU host needs the NVIDIA driver (R525 or newer), bash and coreutils; gcc when only CUDA 13's
# cuBLAS is there (to build the cuBLAS 12 shim); python3 with PyTorch for the comparison (without
# it only tensorj's side is measured). It needs no Java, no Maven and no network: Java, the jars and
# the shim's sources come in the bundle (.gpu/), which benchmarks/gpu/prepare.sh builds on a machine
# with JDK 17 and Maven. Copy the repository with .gpu/ to the GPU host and run, from its root:
#
#   bash benchmarks/gpu/run-gpu.sh [OUT_DIR]     OUT_DIR: default $TENSORJ_GPU_OUT, else gpu-out/
#
# Steps, with the most time each may take (seconds; 355 in all, so a run takes at most about six
# minutes and a run plus a retry fit in 15). A step over its budget gets a thread dump (SIGQUIT)
# and is killed 5 s later; the script goes on with the next step and reports it as TIMED OUT.
#   machine          15  nvidia-smi: GPU model, driver
#   cuBLAS           15  find libcublas.so.12 (CUDA 12: used as is) or libcublas.so.13 (CUDA 13: behind the shim)
#   runtime          15  unpack the bundle's Java runtime
#   no cuBLAS 12     20  (CUDA 13 only) without libcublas.so.12, tensorj must say cuBLAS is missing
#   shim             15  (CUDA 13 only) build the forwarding libcublas.so.12 (cublas12-shim/)
#   load check       20  JCuda's libJCublas2 loads and creates and destroys a cuBLAS handle
#   tests           150  every test, the CUDA tests included (JUnit console); one test may take 60 s,
#                        then it fails and the rest go on; XML reports are streamed as tests run
#                        (300 in a rehearsal: the CPU emulator is many times slower than a GPU)
#   tensorj bench    55  dev.tensorj.bench.GpuBenchmark
#   PyTorch bench    45  torch_bench.py, TF32 off
#   report            5  results.md and the table
# Everything lands in OUT_DIR: run-gpu.log, nvidia-smi.txt, no-cublas.log, tests.log, junit/
# (open-test-report.xml written as tests run, TEST-junit-*.xml at the end), bench-*.log, info.txt
# and results.md (date, commit, GPU, driver, cuBLAS, tests, the table). An earlier run's files in
# OUT_DIR move to OUT_DIR/previous-DATE/ first.
#
# Environment: TENSORJ_CUBLAS12 or TENSORJ_CUBLAS13 name the library file to use instead of searching.
# TENSORJ_REHEARSE_EMULATOR=DIR (set by prepare.sh --rehearse) rehearses this script on a machine
# without a GPU, on tensorj's CPU emulator of CUDA built in DIR: its libcuda.so.1, and its
# libcublas.so.13 behind the shim; benchmarks are skipped and nothing it prints is a GPU result.
set -uo pipefail
root="$(pwd)"
bundle=.gpu
OUT="${1:-${TENSORJ_GPU_OUT:-$root/gpu-out}}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
if [[ -e "$OUT/run-gpu.log" ]]; then # an earlier run's files (a retry): kept apart, not mixed in
    prev="$OUT/previous-$(date -r "$OUT/run-gpu.log" +%Y%m%d-%H%M%S)"
    mkdir -p "$prev"
    find "$OUT" -mindepth 1 -maxdepth 1 ! -name 'previous-*' -exec mv -t "$prev" {} +
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
exec > >(tee -a "$OUT/run-gpu.log") 2>&1
exec 3>&1 # the log, also while a step's own output goes to a file
emu="${TENSORJ_REHEARSE_EMULATOR:-}"
[[ -z "$emu" ]] || emu="$(cd "$emu" && pwd)"
summary=()
step() { echo; echo "== $(date +%T) $*"; }

# limit SECONDS NAME CMD...: runs CMD for at most SECONDS, then SIGQUIT (a JVM prints its threads),
# SIGKILL 5 s later. Returns CMD's status, 124 or 137 when it timed out; notes the step in summary.
limit() {
    local budget="$1" name="$2" t0=$SECONDS rc
    shift 2
    timeout -s QUIT -k 5 "$budget" "$@"
    rc=$?
    if [[ $rc == 124 || $rc == 137 ]]; then
        echo "!! $name: TIMED OUT after its budget of ${budget}s (killed)" >&3
        summary+=("$(printf '%-14s TIMED OUT (%ss budget)' "$name" "$budget")")
    else
        summary+=("$(printf '%-14s exit %-3s %4ss of %ss' "$name" "$rc" $((SECONDS - t0)) "$budget")")
    fi
    return $rc
}

if [[ ! -d $bundle/lib || ! -f $bundle/jre.tgz ]]; then
    echo "no bundle in $root/$bundle: build it with benchmarks/gpu/prepare.sh (JDK 17 + Maven) and copy it here" >&2
    exit 1
fi
if [[ -n "$emu" ]]; then
    echo "REHEARSAL on tensorj's CPU emulator of CUDA ($emu): no GPU is used; nothing below is a GPU result."
fi
echo "bundle: $(tr '\n' ' ' < $bundle/commit.txt); output: $OUT"

step "machine"
if [[ -n "$emu" ]]; then
    gpu_name="none (rehearsal on the CPU emulator)"
    driver="none"
elif command -v nvidia-smi >/dev/null; then
    gpu_name="unknown (nvidia-smi failed)"
    driver="unknown"
    if limit 10 machine nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1; then
        IFS=, read -r gpu_name driver < <(timeout 5 nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1)
        driver="${driver# }"
    fi
    cat "$OUT/nvidia-smi.txt"
else
    gpu_name="unknown (no nvidia-smi)"
    driver="unknown"
fi
echo "GPU: $gpu_name, driver $driver"

# find_lib NAME: the first NAME file among CUDA's usual places, python's nvidia-* wheels and the
# loader's cache.
find_lib() {
    local name="$1" d f
    local dirs=("${CUDA_HOME:-/nonexistent}/lib64" /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib
                /usr/local/cuda-*/lib64 /usr/local/cuda-*/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu /usr/lib64)
    for d in "${dirs[@]}"; do
        [[ -e "$d/$name" ]] && { echo "$d/$name"; return 0; }
    done
    if command -v python3 >/dev/null; then
        f="$(timeout 6 python3 - "$name" <<'PY' 2>/dev/null
import glob, os, site, sys
roots = set(p for p in sys.path + site.getsitepackages() + [site.getusersitepackages()]
            if os.path.isdir(os.path.join(p, "nvidia")))
hits = sorted(h for r in roots for h in glob.glob(os.path.join(r, "nvidia", "**", sys.argv[1]), recursive=True))
print(hits[0] if hits else "")
PY
)"
        [[ -n "$f" ]] && { echo "$f"; return 0; }
    fi
    ldconfig -p 2>/dev/null | awk -v n="$name" '$1 == n { print $NF; exit }'
}

step "cuBLAS"
t0=$SECONDS
cublas12="" cublas13=""
if [[ -n "$emu" ]]; then
    cublas13="$emu/cublas13/libcublas.so.13" # the emulator's, behind the shim: the path a CUDA 13 host takes
elif [[ -n "${TENSORJ_CUBLAS12:-}" ]]; then
    cublas12="$TENSORJ_CUBLAS12"
elif [[ -n "${TENSORJ_CUBLAS13:-}" ]]; then
    cublas13="$TENSORJ_CUBLAS13"
else
    cublas12="$(find_lib libcublas.so.12)"
    [[ -n "$cublas12" ]] || cublas13="$(find_lib libcublas.so.13)"
fi
if [[ -n "$cublas12" ]]; then
    echo "CUDA 12's cuBLAS: $cublas12 (used as is; no shim needed)"
    cublas_note="$cublas12 (CUDA 12, used as is)"
elif [[ -n "$cublas13" && -e "$cublas13" ]]; then
    echo "CUDA 13's cuBLAS: $cublas13 (JCuda 12.6 needs libcublas.so.12: the shim forwards to it)"
    cublas_note="$cublas13 (CUDA 13, through the cublas12 shim)"
else
    echo "no libcublas.so.12 or libcublas.so.13 found (CUDA_HOME, /usr/local/cuda*, /usr/lib*, python's nvidia-*" \
         "packages, the loader's cache): the CUDA tests will report cuBLAS missing. Set TENSORJ_CUBLAS12 or" \
         "TENSORJ_CUBLAS13 to the library file."
    cublas_note="not found"
fi
summary+=("$(printf '%-14s %s %4ss of %ss' cuBLAS "${cublas12:+12}${cublas13:+13}" $((SECONDS - t0)) 15)")

# The loader path every Java step starts from: in a rehearsal the emulated driver (its directory
# alone, linked: the emulator's own libcublas.so.12 sits next to it and must not be found).
base_path="${LD_LIBRARY_PATH:-}"
if [[ -n "$emu" ]]; then
    mkdir -p "$work/driver"
    ln -s "$(cd "$emu/lib" && pwd)/libcuda.so.1" "$work/driver/libcuda.so.1"
    base_path="$work/driver${base_path:+:$base_path}"
fi

step "Java runtime"
limit 15 runtime tar xzf $bundle/jre.tgz -C "$work"
java="$work/jre/bin/java"
"$java" -version 2>&1 | head -1
cp="$(ls $bundle/lib/*.jar | tr '\n' ':')"
jprops=(-Dorg.slf4j.simpleLogger.defaultLogLevel=info)

if [[ -z "$cublas12" ]]; then
    step "without cuBLAS 12, tensorj must say so (no fallback)"
    LD_LIBRARY_PATH="$base_path" limit 20 "no cuBLAS 12" "$java" -cp "$cp" dev.tensorj.bench.CudaStatusPrint \
        CUBLAS_MISSING > "$OUT/no-cublas.log" 2>&1
    cat "$OUT/no-cublas.log"

    step "cuBLAS 12 shim (cublas12-shim/: forwards libJCublas2's cublas calls to libcublas.so.13)"
    limit 15 shim bash benchmarks/gpu/cublas12-shim/build.sh $bundle/shim-src "$work/shim"
    # Empty when not found: the shim then reports, on every call, that libcublas.so.13 is missing.
    export TENSORJ_CUBLAS13="$cublas13" TENSORJ_SHIM_VERBOSE=1
    lib_path="$work/shim${cublas13:+:$(dirname "$cublas13")}${base_path:+:$base_path}"
else
    lib_path="$(dirname "$cublas12")${base_path:+:$base_path}"
fi
export LD_LIBRARY_PATH="$lib_path"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"

step "cuBLAS load check"
limit 20 "load check" "$java" -cp "$cp" dev.tensorj.backend.cuda.CublasLoadCheck

step "tests (JUnit console; a CUDA test that finds no device fails here instead of skipping)"
tests_budget=$([[ -n "$emu" ]] && echo 300 || echo 150)
# tensorj.test.cuda: the host is expected to have a usable device (the emulator in a rehearsal).
# KernelCompileTest is left out: it rebuilds the PTX with this host's nvcc, which may be another
# release than the one that made the shipped PTX; that comparison is CI's job. PackageStructureTest
# too: it reads the build's class folder with jdeps, which the bundle has neither of.
cuda_run=$([[ -n "$emu" ]] && echo emulated || echo required)
limit "$tests_budget" tests "$java" "${jprops[@]}" -Dtensorj.test.cuda="$cuda_run" \
    -jar $bundle/tools/junit-platform-console-standalone-*.jar execute \
    --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii --class-path "$cp" \
    --scan-class-path $bundle/lib/tensorj-tests.jar --reports-dir "$OUT/junit" \
    --exclude-classname='.*(KernelCompileTest|PackageStructureTest)' \
    --config=junit.jupiter.execution.timeout.default=60s \
    --config=junit.jupiter.execution.timeout.thread.mode.default=SEPARATE_THREAD \
    --config=junit.platform.reporting.open.xml.enabled=true \
    --config=junit.platform.reporting.output.dir="$OUT/junit" > "$OUT/tests.log" 2>&1
tests_rc=$?
echo "failed tests [X]:"
grep -E "\[X\]" "$OUT/tests.log" | sed 's/^[|+ \x27-]*//' | head -40
echo "skipped tests [A], by reason:"
grep -E "\[A\]" "$OUT/tests.log" | sed 's/.*\[A\] *//' | sort | uniq -c | sort -rn | head -15
grep -E "^\[ +[0-9]+ tests (found|successful|failed|aborted)" "$OUT/tests.log"
grep -E "^CUDA tests:" "$OUT/tests.log" # where the CUDA tests ran (tensorj's CudaTestTally)
if ! grep -qE "^\[ +[1-9][0-9]* tests found" "$OUT/tests.log"; then
    echo "no test summary: the run did not finish (tests.log has the thread dump). Tests and containers" \
         "that finished before, by result (from junit/open-test-report.xml):"
    grep -o 'status="[A-Z]*"' "$OUT/junit/open-test-report.xml" 2>/dev/null | sort | uniq -c
    [[ $tests_rc == 0 ]] && tests_rc=1
fi
echo "tests exit code: $tests_rc (full log: tests.log, XML reports: junit/)"

print_summary() {
    step "summary"
    printf '  %s\n' "${summary[@]}"
    echo "  total          $SECONDS s"
}

if [[ -n "$emu" ]]; then
    step "benchmarks: not run in a rehearsal (CPU emulator timings mean nothing)"
    python3 -m py_compile benchmarks/gpu/torch_bench.py benchmarks/gpu/report.py && echo "python scripts compile"
    print_summary
    echo "REHEARSAL on the CPU emulator finished: tests exit code $tests_rc; logs in $OUT (not GPU results)"
    exit "$tests_rc"
fi

step "tensorj benchmark"
limit 55 "tensorj bench" "$java" "${jprops[@]}" -cp "$cp" dev.tensorj.bench.GpuBenchmark > "$OUT/bench-tensorj.log" 2>&1
cat "$OUT/bench-tensorj.log"

step "PyTorch benchmark"
if command -v python3 >/dev/null; then
    limit 45 "PyTorch bench" python3 benchmarks/gpu/torch_bench.py > "$OUT/bench-pytorch.log" 2>&1
    cat "$OUT/bench-pytorch.log"
else
    echo "no python3: PyTorch's side is not measured" | tee "$OUT/bench-pytorch.log"
fi

step "results"
{
    echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
    echo "commit=$(tr '\n' ' ' < $bundle/commit.txt)"
    echo "gpu=$gpu_name"
    echo "driver=$driver"
    echo "tensorj device=$(grep -m1 '^DEVICE' "$OUT/bench-tensorj.log" | cut -d' ' -f2-)"
    echo "pytorch=$(grep -m1 '^DEVICE' "$OUT/bench-pytorch.log" | cut -d' ' -f2-)"
    echo "java=$("$java" -version 2>&1 | head -1)"
    echo "cublas=$cublas_note"
    counts="$(grep -E '^\[ +[0-9]+ tests (successful|failed|aborted)' "$OUT/tests.log" | tr -d '[]' | xargs | sed 's/ \([0-9]\)/, \1/g')"
    echo "tests=${counts:-the test run did not finish (tests.log)} (aborted = skipped by an assumption)"
} > "$OUT/info.txt"
if command -v python3 >/dev/null; then
    limit 5 report python3 benchmarks/gpu/report.py "$OUT/bench-tensorj.log" "$OUT/bench-pytorch.log" \
        "$OUT/results.md" "$OUT/info.txt"
else
    cp "$OUT/info.txt" "$OUT/results.md"
fi
print_summary
echo "tests exit code: $tests_rc; logs and results.md in $OUT"
exit "$tests_rc"
