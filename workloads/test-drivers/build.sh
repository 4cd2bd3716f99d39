#!/usr/bin/env bash
# Builds the kernel-space translator's test drivers (ELF ET_REL, like the graphics driver)
# and their user program.  Usage: build.sh [OUTDIR]  (default: this folder, where the
# committed objects live).  Reproducible: no debug info, no build id, fixed flags.
#   crossings_driver  i386 (translated) and mipsel (native oracle): callbacks, exports, nesting
#   wild_driver       i386: a jump to an address outside the driver and the exports
#   smc_driver        i386: rewrites its own code between two calls
#   deep_driver       i386: re-enters itself through the kernel without end
#   bad_ops_driver    i386: registers a callback that points at its data
#   gfx_client        mipsel user program: opens /dev/gfx, makes the test requests
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"

common=(-c -ffreestanding -fno-pic -fno-stack-protector -O2 -fno-asynchronous-unwind-tables
  -fno-reorder-blocks-and-partition -Wall -Wextra -Werror -Iworkloads/include)
i386=(i686-linux-gnu-gcc -m32 -march=i686 -mgeneral-regs-only "${common[@]}")
mipsel=(mipsel-linux-gnu-gcc -EL -march=mips32r2 -mabi=32 -msoft-float -mno-abicalls -G0 "${common[@]}")

"${i386[@]}" -o "$out/crossings_driver.i386.o" workloads/test-drivers/crossings_driver.c
"${mipsel[@]}" -o "$out/crossings_driver.mipsel.o" workloads/test-drivers/crossings_driver.c
for drv in wild_driver smc_driver deep_driver bad_ops_driver; do
  "${i386[@]}" -o "$out/$drv.i386.o" "workloads/test-drivers/$drv.c"
done
mipsel-linux-gnu-gcc -EL -march=mips32r2 -mabi=32 -msoft-float -mno-abicalls -fno-pic -fno-pie -no-pie -G0 \
  -static -nostdlib -nostartfiles -ffreestanding -fno-builtin -fno-stack-protector \
  -fno-asynchronous-unwind-tables -O2 -Wall -Wextra -Werror -Iworkloads/include \
  -Wl,--build-id=none -o "$out/gfx_client" workloads/test-drivers/gfx_client.c
