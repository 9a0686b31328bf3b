#!/usr/bin/env bash
# Indexes CATALOG as N shards on several hosts with GNU parallel over ssh, then merges.
# Usage: parallel-ssh.sh CATALOG PARTS_DIR HOST...     (one shard per host; N = number of hosts)
#   LOOKBOOK_CLI   the lookbook-cli on every host (default: lookbook-cli on PATH)
#   LOOKBOOK_MODEL the model on every host (a file or folder; default: the installed one)
# Every host must see CATALOG and PARTS_DIR at the same path with the same files, sizes and
# modification times (one NFS share mounted everywhere). A failed shard can be run again by
# hand with the same command: indexing is incremental and resumable.
# For one big machine, without ssh:  seq 1 N | xargs -P N -I{} lookbook-cli index CATALOG --shard {}/N --cache PARTS_DIR/part-{}.lbi
set -euo pipefail
if [[ $# -lt 3 ]]; then
    echo "Usage: $0 CATALOG PARTS_DIR HOST..." >&2
    exit 1
fi
catalog="$1"; parts="$2"; shift 2
hosts=("$@")
shards=${#hosts[@]}
cli="${LOOKBOOK_CLI:-lookbook-cli}"
model_env=""
if [[ -n "${LOOKBOOK_MODEL:-}" ]]; then
    model_env="LOOKBOOK_MODEL=$(printf '%q' "$LOOKBOOK_MODEL")"
fi
mkdir -p "$parts"
# One job slot per host (-j1 per --sshlogin 1/HOST); {} is the shard number 1..N.
sshlogins=()
for host in "${hosts[@]}"; do sshlogins+=(--sshlogin "1/$host"); done
seq 1 "$shards" | parallel --halt now,fail=1 --line-buffer --tag "${sshlogins[@]}" \
    "$model_env $(printf '%q' "$cli") index $(printf '%q' "$catalog") --shard {}/$shards --cache $(printf '%q' "$parts")/part-{}.lbi"
parts_list=()
for k in $(seq 1 "$shards"); do parts_list+=("$parts/part-$k.lbi"); done
"$cli" merge "$catalog" "${parts_list[@]}"
