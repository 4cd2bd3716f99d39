#!/usr/bin/env bash
# Builds the demo (a static glibc i386 executable) byte-for-byte reproducibly.
# Usage: build.sh [OUTDIR]   (default: this folder, where demo.i386 is committed)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$here"
i686-linux-gnu-gcc -static -fno-pie -no-pie -O2 -march=i686 -mgeneral-regs-only -fno-asynchronous-unwind-tables \
  -Wall -Wextra -Werror -Wl,--build-id=none "-ffile-prefix-map=$here=." demo.c -o "$out/demo.i386"
