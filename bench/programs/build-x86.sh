#!/bin/sh
# Rebuilds the committed benchmark programs byte-for-byte with Debian's i686 cross compiler.
# Usage: bench/programs/build-x86.sh [output-dir]   (default: this directory)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
cd "$here"
i686-linux-gnu-gcc -m32 -march=i686 -static -nostdlib -nostartfiles -ffreestanding -fno-pic -fno-pie -no-pie \
  -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -mgeneral-regs-only -O2 \
  -Wl,--build-id=none -o "$out/x86-cpu-loop" x86-cpu-loop.c -lgcc
