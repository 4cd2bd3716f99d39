#!/usr/bin/env bash
# Builds the host kernel (freestanding mipsel, linked in kseg0 at 0x80001000) as
# kernel.mipsel.  Usage: build.sh [OUTDIR] (default: this folder, where the committed
# image lives).  Reproducible: no build id, debug paths mapped to the repository root.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"

mipsel-linux-gnu-gcc -EL -march=mips32r2 -mabi=32 -msoft-float -mno-abicalls -fno-pic -fno-pie -no-pie -G0 \
  -static -nostdlib -nostartfiles -ffreestanding -fno-builtin -fno-stack-protector \
  -fno-asynchronous-unwind-tables -O2 -g -gdwarf-4 "-ffile-prefix-map=$root=." \
  -Wall -Wextra -Werror -Iworkloads/include -Iworkloads/kernel \
  -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-T,workloads/kernel/kernel.ld \
  -o "$out/kernel.mipsel" \
  workloads/kernel/entry.S workloads/kernel/main.c workloads/kernel/lib.c workloads/kernel/kmalloc.c \
  workloads/kernel/time.c workloads/kernel/ramfs.c workloads/kernel/gfx.c workloads/kernel/module.c \
  workloads/kernel/process.c workloads/kernel/syscall.c
