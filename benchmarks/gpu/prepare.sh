#!/usr/bin/env bash
# Builds the bundle (.gpu/, gitignored) that run-gpu.sh needs on a GPU host: such a host may have
# no Java, no Maven and no network, so everything Java comes from here (JDK 17 + Maven + python3).
#   .gpu/jre.tgz          a jlink Java runtime (unpacked on the GPU host)
#   .gpu/lib/*.jar        tensorj, its test classes and runtime dependencies (JCuda and its natives)
#   .gpu/tools/           the JUnit console launcher
#   .gpu/shim-src/        the cuBLAS 12 shim's generated sources (built there with gcc, only when the
#                         host has CUDA 13's cuBLAS and not CUDA 12's)
#   .gpu/commit.txt       the commit the jars were built from
# Copy the repository with .gpu/ to the GPU host and run benchmarks/gpu/run-gpu.sh there.
#
# usage: benchmarks/gpu/prepare.sh [--rehearse [OUT_DIR]]
#   --rehearse  then rehearses run-gpu.sh here, without a GPU, on tensorj's CPU emulator of CUDA
#               (src/test/cuda-emulator, built into target/cuda-emulator): the emulated libcuda.so.1
#               and the emulated libcublas.so.13 behind the cuBLAS 12 shim, so the bundle, the shim
#               and the CUDA tests run end to end. Output in OUT_DIR (default target/gpu-rehearsal).
#               A rehearsal shows that the pieces fit; it is no GPU result.
set -euo pipefail
cd "$(dirname "$0")/../.."
JUNIT_PLATFORM=1.14.1 # the platform of junit.version 5.14.1 in pom.xml
bundle=.gpu
rehearse=0
rehearsal_out=target/gpu-rehearsal
if [[ "${1:-}" == "--rehearse" ]]; then
    rehearse=1
    rehearsal_out="${2:-$rehearsal_out}"
elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--rehearse [OUT_DIR]]" >&2
    exit 2
fi
rm -rf "$bundle"
mkdir -p "$bundle/lib" "$bundle/tools"

echo "== jars"
# -DskipTests still compiles the test classes. JUnit comes with the console launcher instead.
mvn -q -DskipTests package dependency:copy-dependencies -DoutputDirectory="$bundle/lib" \
    -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian
cp "$(ls target/tensorj-*.jar | grep -v -e "-sources.jar" -e "-javadoc.jar")" "$bundle/lib/"
# OpenBLAS's natives (20 MB, the bundle's largest part) stay out: the CPU side of the tests then
# runs on tensorj's Java kernel (logged), which is all a GPU check needs.
rm -f "$bundle"/lib/openblas-*-linux-x86_64.jar
jar cf "$bundle/lib/tensorj-tests.jar" -C target/test-classes .
mvn -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_PLATFORM" \
    -DoutputDirectory="$bundle/tools"

echo "== Java runtime"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# java.xml, java.sql: the JUnit console launcher (XML reports, converters); jdk.zipfs: it scans
# the tests jar through a zip file system, and finds no tests without it.
# java.compiler and jdk.compiler: ModuleTest compiles small sources to check what must not compile.
jlink --add-modules java.base,java.logging,jdk.unsupported,java.management,java.xml,java.sql,jdk.zipfs,java.compiler,jdk.compiler \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$tmp/jre"
tar czf "$bundle/jre.tgz" -C "$tmp" jre

echo "== cuBLAS 12 shim sources"
unzip -q -o -d "$tmp/natives" "$bundle"/lib/jcublas-natives-*.jar 'lib/libJCublas2-*'
python3 benchmarks/gpu/cublas12-shim/gen_shim.py "$tmp"/natives/lib/libJCublas2-*.so "$bundle/shim-src"

git rev-parse HEAD > "$bundle/commit.txt"
if ! git diff --quiet HEAD -- src pom.xml; then
    echo "(with uncommitted changes in src/ or pom.xml)" >> "$bundle/commit.txt"
fi

size=$(du -sb "$bundle" | cut -f1)
echo "== the bundle ($bundle/) is $((size / 1024 / 1024)) MiB ($size bytes):"
du -sh "$bundle"/* | sed 's/^/   /'

if [[ $rehearse == 1 ]]; then
    echo "== CPU emulator of CUDA (for the rehearsal only; not part of the bundle)"
    # Builds the emulated libcuda.so.1, then (cublas/build.sh) the emulated libcublas.so.12 and .13.
    # The natives jars are the bundle's own: the emulator stubs exactly what they import.
    bash src/test/cuda-emulator/build.sh target/cuda-emulator "$(ls "$bundle"/lib/jcuda-natives-*-linux-x86_64.jar)" \
        src/main/cuda "$(ls "$bundle"/lib/jcublas-natives-*-linux-x86_64.jar)"
    [[ -f target/cuda-emulator/cublas13/libcublas.so.13 ]] \
        || { echo "prepare.sh: the emulator build made no cublas13/libcublas.so.13" >&2; exit 1; }
    echo "== rehearsal: run-gpu.sh on the CPU emulator (no GPU; not a GPU result)"
    TENSORJ_REHEARSE_EMULATOR=target/cuda-emulator bash benchmarks/gpu/run-gpu.sh "$rehearsal_out"
fi
