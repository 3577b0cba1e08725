#!/usr/bin/env bash
# Builds the JNI glue for OpenBLAS on the tensors' arrays (JniBlas) into the classes directory,
# where the jar picks it up as dev/tensorj/native/<os>-<arch>/libtensorj_blas.so. Run by Maven in
# the compile phase: build.sh <classes dir> <java.home>.
#
# The glue is optional: without a C compiler ($CC, else cc), or elsewhere than linux-x86_64, the
# jar is built without it and the library copies matrix operands into native buffers for OpenBLAS
# instead (same results, a little slower). The build log says which of the two this jar does.
#
# Reproducible: the same source and compiler give the same bytes wherever the tree is checked out
# (no path of this machine in the library; no debug info; the build id is a hash of the content).
set -euo pipefail
out="$1"
java_home="$2"
here="$(cd "$(dirname "$0")" && pwd)"
dir="$out/dev/tensorj/native/linux-x86_64"
cc="${CC:-cc}"

without_glue() {
    # A library left in the classes directory by an earlier build must not reach this jar.
    rm -f "$dir/libtensorj_blas.so"
    echo "tensorj: WITHOUT the JNI BLAS glue: $1."
    echo "tensorj: this jar multiplies CPU matrices through OpenBLAS on copies of the operands (the copying path)."
}

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
    without_glue "it is built for linux-x86_64 only and this is $(uname -s)-$(uname -m)"
    exit 0
fi
if ! command -v "$cc" >/dev/null 2>&1; then
    without_glue "no C compiler ('$cc' is not on the PATH; install gcc, or set CC, to build it)"
    exit 0
fi
mkdir -p "$dir"
"$cc" -O2 -shared -fPIC -Wall -Werror -std=c99 \
    -ffile-prefix-map="$here"=src/main/c \
    -I"$java_home/include" -I"$java_home/include/linux" \
    -o "$dir/libtensorj_blas.so" "$here/tensorj_blas.c" -ldl
echo "tensorj: with the JNI BLAS glue ($("$cc" --version | head -1)): CPU matrix products run on the tensors' own arrays, no copies."
