#!/usr/bin/env bash
# Rebuilds the x86 differential programs and the static glibc i386 programs with the Debian
# i686 cross tools and records their native outputs (run on an x86 Linux host).
set -euo pipefail
cd "$(dirname "$0")/.."
node --import tsx test/x86-differential/generator/build-programs.ts --native
bash test/programs-i386/build.sh --native
