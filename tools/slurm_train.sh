#!/usr/bin/env bash
# Train on a Slurm cluster, one task per GPU.
# Usage: tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] \
#            [train.py arguments]
# Environment: GPUS (8), GPUS_PER_NODE (min(GPUS, 8)), CPUS_PER_TASK (5),
#              SRUN_ARGS (extra srun arguments), PYTHON (python).
set -euo pipefail

if [[ $# -lt 3 ]]; then
    echo "usage: $0 PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py args]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
WORK_DIR_ARGS=()
if [[ $# -gt 0 && $1 != -* ]]; then
    WORK_DIR_ARGS=(--work-dir "$1")
    shift
fi
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-$((GPUS < 8 ? GPUS : 8))}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
TOOLS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# SRUN_ARGS is split on spaces on purpose: it holds several arguments.
# shellcheck disable=SC2086
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres="gpu:$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} \
    "${PYTHON:-python}" -u "$TOOLS/train.py" "$CONFIG" "${WORK_DIR_ARGS[@]}" \
    --launcher slurm "$@"
