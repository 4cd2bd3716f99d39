#!/usr/bin/env bash
# Rebuilds the user-space translator's test programs byte-for-byte with Debian's cross compiler.
# Usage: build.sh [OUTDIR]   (default: the directory of this script)
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$src}"
mkdir -p "$out"
cd "$src"
i686-linux-gnu-gcc -m32 -march=i686 -static -nostdlib -nostartfiles -ffreestanding -fno-pic -fno-pie -no-pie \
  -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -mgeneral-regs-only -O1 \
  -Wl,--build-id=none -ffile-prefix-map="$src"=. syscalls.c -o "$out/syscalls.i386"
