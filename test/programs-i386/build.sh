#!/usr/bin/env bash
# Rebuilds the static glibc i386 test programs byte-for-byte with Debian's i686 cross
# compiler; with --native also records their native stdout and exit status.
# Usage: build.sh [OUTDIR] [--native]   (default OUTDIR: the directory of this script)
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)"
out="$src"
native=0
for arg in "$@"; do
  case "$arg" in
    --native) native=1 ;;
    *) out="$arg" ;;
  esac
done
mkdir -p "$out"
cd "$src"
for prog in printf-formats printf-float strings sort-search int64 heap-files; do
  i686-linux-gnu-gcc -static -O2 -fno-pie -no-pie -Wl,--build-id=none -fno-asynchronous-unwind-tables \
    -ffile-prefix-map="$src"=. "$prog.c" -o "$out/$prog"
  if [ "$native" = 1 ]; then
    # fixed environment and an empty working directory, as the tests use
    work="$(mktemp -d)"
    status=0
    (cd "$work" && env -i LANG=C "$out/$prog" > "$out/$prog.stdout" 2> "$out/$prog.stderr") || status=$?
    echo "$status" > "$out/$prog.status"
    rm -rf "$work"
  fi
done
