#!/usr/bin/env bash
# Rebuilds the usermode test programs byte-for-byte with Debian's cross compilers.
# Usage: build.sh [OUTDIR]   (default: the directory of this script)
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$src}"
mkdir -p "$out"
cd "$src"
common=(-O2 -Wl,--build-id=none -fno-asynchronous-unwind-tables -ffile-prefix-map="$src"=.)
for prog in fileio memory clock fault stdio; do
  i686-linux-gnu-gcc -static -fno-pie -no-pie "${common[@]}" "$prog.c" -o "$out/$prog.i386"
  mipsel-linux-gnu-gcc -static -fno-pie -no-pie "${common[@]}" "$prog.c" -o "$out/$prog.mipsel"
done
i686-linux-gnu-gcc -m32 -march=i686 -static -nostdlib -nostartfiles -ffreestanding -fno-pic -fno-pie -no-pie \
  -fno-stack-protector -mgeneral-regs-only -DFREESTANDING_ENTRY=_start "${common[@]}" \
  hello-freestanding.c -o "$out/hello-freestanding.i386"
mipsel-linux-gnu-gcc -EL -march=mips32r2 -mabi=32 -msoft-float -mno-abicalls -fno-pic -fno-pie -no-pie -G0 -static \
  -nostdlib -nostartfiles -ffreestanding -fno-stack-protector -DFREESTANDING_ENTRY=__start "${common[@]}" \
  hello-freestanding.c -o "$out/hello-freestanding.mipsel"
