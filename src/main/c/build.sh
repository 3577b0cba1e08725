#!/usr/bin/env bash
# Builds the JNI glue for OpenBLAS on the tensors' arrays (JniBlas) into the classes directory,
# where the jar picks it up as dev/tensorj/native/<os>-<arch>/libtensorj_blas.so. Run by Maven in
# the compile phase: build.sh <classes dir> <java.home>. Needs a C compiler (cc); elsewhere than
# linux-x86_64 it builds nothing and the library copies operands into native buffers instead.
set -euo pipefail
out="$1"
java_home="$2"
here="$(cd "$(dirname "$0")" && pwd)"
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
    echo "tensorj: JNI BLAS glue is built for linux-x86_64 only; this is $(uname -s)-$(uname -m): not built"
    exit 0
fi
if ! command -v cc >/dev/null; then
    echo "tensorj: no C compiler (cc) to build the JNI BLAS glue; install gcc, or the jar copies operands" >&2
    exit 1
fi
dir="$out/dev/tensorj/native/linux-x86_64"
mkdir -p "$dir"
cc -O2 -shared -fPIC -Wall -Werror -std=c99 \
    -I"$java_home/include" -I"$java_home/include/linux" \
    -o "$dir/libtensorj_blas.so" "$here/tensorj_blas.c" -ldl
