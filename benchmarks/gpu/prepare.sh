#!/usr/bin/env bash
# Builds .gpu/ here (JDK 17 + Maven) for run-gpu.sh on the lent GPU machine, which has no Java,
# no Maven and no network. .gpu/ is gitignored and travels with `carry: [".gpu"]` (64 MiB limit).
#   .gpu/jre.tgz          a jlink runtime (unpacked there: 19 MB packed instead of 35)
#   .gpu/lib/*.jar        tensorj, its test classes and runtime dependencies (JCuda + natives)
#   .gpu/tools/           the JUnit console launcher
#   .gpu/shim-src/        the cublas12 shim's generated sources (built there with gcc)
#   .gpu/commit.txt       the commit the jars were built from
# usage: benchmarks/gpu/prepare.sh [--rehearse]   (--rehearse then runs run-gpu.sh here, no GPU)
set -euo pipefail
cd "$(dirname "$0")/../.."
JUNIT_PLATFORM=1.14.1 # the platform of junit.version 5.14.1 in pom.xml
LIMIT=$((64 * 1024 * 1024))
gpu=.gpu
rm -rf "$gpu"
mkdir -p "$gpu/lib" "$gpu/tools"

echo "== jars"
# -DskipTests still compiles the test classes. JUnit comes with the console launcher instead.
mvn -q -DskipTests package dependency:copy-dependencies -DoutputDirectory="$gpu/lib" \
    -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian
cp target/tensorj-*.jar "$gpu/lib/"
# OpenBLAS's natives (20 MB) would crowd the 64 MiB carry; without them the CPU side of the tests
# runs on tensorj's Java kernel there (logged), which is all a GPU run needs.
rm -f "$gpu"/lib/openblas-*-linux-x86_64.jar
jar cf "$gpu/lib/tensorj-tests.jar" -C target/test-classes .
mvn -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_PLATFORM" \
    -DoutputDirectory="$gpu/tools"

echo "== java runtime"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# java.xml, java.sql: the JUnit console launcher (XML reports, converters); jdk.zipfs: it scans
# the tests jar through a zip file system, and finds no tests without it.
jlink --add-modules java.base,java.logging,jdk.unsupported,java.management,java.xml,java.sql,jdk.zipfs \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$tmp/jre"
tar czf "$gpu/jre.tgz" -C "$tmp" jre

echo "== cublas12 shim sources"
unzip -q -o -d "$tmp/natives" "$gpu"/lib/jcublas-natives-*.jar 'lib/libJCublas2-*'
python3 benchmarks/gpu/cublas12-shim/gen_shim.py "$tmp"/natives/lib/libJCublas2-*.so "$gpu/shim-src" --fake

git rev-parse HEAD > "$gpu/commit.txt"
if ! git diff --quiet HEAD -- src pom.xml; then
    echo "(with uncommitted changes in src/ or pom.xml)" >> "$gpu/commit.txt"
fi

size=$(du -sb "$gpu" | cut -f1)
echo "== .gpu is $((size / 1024 / 1024)) MiB ($size bytes) of the $((LIMIT / 1024 / 1024)) MiB carry limit"
du -sh "$gpu"/* | sed 's/^/   /'
if (( size > LIMIT - 2 * 1024 * 1024 )); then # the tracked tree travels too
    echo "prepare.sh: .gpu is too large to carry" >&2
    exit 1
fi

if [[ "${1:-}" == "--rehearse" ]]; then
    echo "== rehearsal: run-gpu.sh without a GPU (fake libcublas.so.13, CUDA tests skip)"
    REHEARSE=1 OUT="${OUT:-$tmp/out}" bash benchmarks/gpu/run-gpu.sh
fi
