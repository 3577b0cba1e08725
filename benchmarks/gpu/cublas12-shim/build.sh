#!/usr/bin/env bash
# Builds the forwarding libcublas.so.12 from gen_shim.py's output, and checks its version node.
# usage: build.sh SRC_DIR OUT_DIR      (needs gcc; no CUDA headers, no python)
set -euo pipefail
src="$1"
out="$2"
mkdir -p "$out"
gcc -shared -fPIC -O2 -Wall -Werror -o "$out/libcublas.so.12" -Wl,-soname,libcublas.so.12 \
    -Wl,--version-script="$src/shim.map" "$src/shim.S" "$src/shim.c" -ldl
# The loader matches libJCublas2's needs (name@libcublas.so.12) against this node.
# (Captured first: grep -q closing the pipe early would fail the producer under pipefail.)
versions="$(readelf -V "$out/libcublas.so.12")"
exports="$(nm -D --defined-only "$out/libcublas.so.12")"
grep -q 'Name: libcublas.so.12' <<<"$versions" \
    || { echo "build.sh: no version node libcublas.so.12 in the shim" >&2; exit 1; }
grep -q ' T cublasSgemm_v2@@libcublas.so.12$' <<<"$exports" \
    || { echo "build.sh: cublasSgemm_v2@@libcublas.so.12 not exported" >&2; exit 1; }
echo "built $out/libcublas.so.12 ($(stat -c %s "$out/libcublas.so.12") bytes)"
