#!/usr/bin/env bash
# Builds the player as static freestanding ELF executables for i386 and mipsel
# (own tiny libc, no glibc, no libgcc).  Usage: build.sh [OUTDIR]  (default: this folder,
# where the committed binaries live).  Byte-for-byte reproducible: no build id,
# debug paths mapped to the repository root, compilers pinned by the caller.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"

common=(-static -nostdlib -nostartfiles -ffreestanding -fno-builtin -fno-pic -fno-pie -no-pie
  -fno-stack-protector -fno-asynchronous-unwind-tables -O2 -g -gdwarf-4
  "-ffile-prefix-map=$root=." -Wall -Wextra -Werror -Wl,--build-id=none -Wl,--hash-style=sysv)
src=(workloads/player/player.c workloads/player/y4m.c workloads/player/convert.c
  workloads/player/libc/string.c workloads/player/libc/output.c workloads/player/libc/alloc.c)

i686-linux-gnu-gcc -m32 -march=i686 -mgeneral-regs-only "${common[@]}" \
  -o "$out/player.i386" workloads/player/libc/syscall-i386.c "${src[@]}"
mipsel-linux-gnu-gcc -EL -march=mips32r2 -mabi=32 -msoft-float -mno-abicalls -G0 "${common[@]}" \
  -o "$out/player.mipsel" workloads/player/libc/syscall-mipsel.c "${src[@]}"
