#!/usr/bin/env bash
# Builds the kernel test programs (freestanding mipsel executables run as init by the host
# kernel).  Usage: build.sh [OUTDIR] (default: this folder, where the committed binaries live).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="${1:-$here}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"
for prog in syscalls fault sleeper fuzz; do
  mipsel-linux-gnu-gcc -EL -march=mips32r2 -mabi=32 -msoft-float -mno-abicalls -fno-pic -fno-pie -no-pie -G0 \
    -static -nostdlib -nostartfiles -ffreestanding -fno-builtin -fno-stack-protector \
    -fno-asynchronous-unwind-tables -O2 -Wall -Wextra -Werror -Iworkloads/include \
    -Wl,--build-id=none -o "$out/$prog" "test/kernel/programs/$prog.c"
done
for drv in crash_driver probe_driver; do
  mipsel-linux-gnu-gcc -EL -march=mips32r2 -mabi=32 -msoft-float -mno-abicalls -fno-pic -G0 -c \
    -ffreestanding -fno-builtin -fno-stack-protector -fno-asynchronous-unwind-tables -O2 \
    -Wall -Wextra -Werror -Iworkloads/include -o "$out/$drv.o" "test/kernel/programs/$drv.c"
done
