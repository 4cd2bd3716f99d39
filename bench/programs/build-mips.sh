#!/bin/sh
# Rebuilds the MIPS benchmark program byte-for-byte: sh bench/programs/build-mips.sh [output-dir]
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
cd "$here"
mipsel-linux-gnu-gcc -EL -march=mips32r2 -mabi=32 -msoft-float -mno-abicalls -fno-pic -fno-pie -no-pie -G0 \
  -static -nostdlib -nostartfiles -ffreestanding -fno-stack-protector -fno-asynchronous-unwind-tables \
  -fno-builtin -O2 -Wl,--build-id=none -o "$out/mips-cpu-mix.mipsel" mips-cpu-mix.c -lgcc
