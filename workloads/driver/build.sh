#!/usr/bin/env bash
# Builds the graphics driver as ELF relocatable objects (like a .ko): i386 (the
# x86 driver UKCF translates) and mipsel (the same driver native to the host).
# Usage: build.sh [OUTDIR]  (default: this folder, where the committed objects
# live).  Reproducible: debug paths mapped to the repository root; one .text
# section (no hot/cold split), no floating point, no PIC.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"

common=(-c -ffreestanding -fno-pic -fno-stack-protector -O2 -fno-asynchronous-unwind-tables
  -fno-reorder-blocks-and-partition -g -gdwarf-4 "-ffile-prefix-map=$root=."
  -Wall -Wextra -Werror -Iworkloads/include)

i686-linux-gnu-gcc -m32 -march=i686 -mgeneral-regs-only "${common[@]}" \
  -o "$out/gfx_driver.i386.o" workloads/driver/gfx_driver.c
mipsel-linux-gnu-gcc -EL -march=mips32r2 -mabi=32 -msoft-float -mno-abicalls -G0 "${common[@]}" \
  -o "$out/gfx_driver.mipsel.o" workloads/driver/gfx_driver.c
