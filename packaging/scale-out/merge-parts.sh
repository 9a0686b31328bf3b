#!/usr/bin/env bash
# The merge step: CATALOG's cache from the N parts PARTS_DIR/part-1.lbi .. part-N.lbi.
# Usage: merge-parts.sh CATALOG PARTS_DIR N [OUT]
# lookbook-cli merge refuses (exit 2, nothing written) unless shards 1..N are each there once,
# share model, recipe and catalog state, and together cover every file of CATALOG once.
set -euo pipefail
if [[ $# -lt 3 || $# -gt 4 ]]; then
    echo "Usage: $0 CATALOG PARTS_DIR N [OUT]" >&2
    exit 1
fi
catalog="$1"; parts="$2"; shards="$3"; out="${4:-}"
cli="${LOOKBOOK_CLI:-lookbook-cli}"
parts_list=()
for k in $(seq 1 "$shards"); do parts_list+=("$parts/part-$k.lbi"); done
if [[ -n "$out" ]]; then
    exec "$cli" merge "$catalog" "${parts_list[@]}" --cache "$out"
fi
exec "$cli" merge "$catalog" "${parts_list[@]}"
