#!/usr/bin/env bash
# `npm run workloads`: rebuilds every committed workload binary by running each
# workloads/*/build.sh in sorted order.  With an argument OUTDIR, each folder's
# outputs go to OUTDIR/<folder> instead of the folder itself (used by the
# reproducibility test, which compares them with the committed ones).
# Contract for a folder's build.sh: optional argument OUTDIR (default: its own
# folder); it writes exactly its committed artifacts there, no intermediates.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
status=0
while IFS= read -r script; do
  folder="$(basename "$(dirname "$script")")"
  echo "workloads: $folder/build.sh" >&2
  if [ $# -ge 1 ]; then
    bash "$script" "$1/$folder" || status=1
  else
    bash "$script" || status=1
  fi
done < <(LC_ALL=C ls -1 "$here"/*/build.sh | LC_ALL=C sort)
exit $status
