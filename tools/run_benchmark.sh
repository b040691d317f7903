#!/usr/bin/env bash
# The paper's comparison on one dataset: SimCLR and GraSS pretrained with the
# same recipe, both fine-tuned (UPerNet) with the same label fraction, and a
# markdown table of mIoU in work_dirs/comparison_<dataset>/results.md.
# Usage: tools/run_benchmark.sh DATASET DATA_ROOT GPUS [LABEL_FRACTION]
#   DATASET: potsdam | loveda-urban | loveda-rural
#   SEEDS=K (environment) repeats every run with K seeds (default 1).
# Example: tools/run_benchmark.sh potsdam data/potsdam 8 10
set -euo pipefail

if [[ $# -lt 3 ]]; then
    echo "usage: $0 DATASET DATA_ROOT GPUS [LABEL_FRACTION]" >&2
    exit 2
fi
DATASET=$1
DATA_ROOT=$2
GPUS=$3
FRACTION=${4:-100}
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FINETUNE="$ROOT/configs/finetune/upernet_r50-grass_4xb4-80k_${DATASET}-512x512.py"
for config in "$ROOT/configs/simclr_r50_${DATASET}.py" \
    "$ROOT/configs/grass_r50_${DATASET}.py" "$FINETUNE"; do
    if [[ ! -f "$config" ]]; then
        echo "error: no config $config for dataset '$DATASET'" >&2
        exit 2
    fi
done

exec "${PYTHON:-python}" "$ROOT/tools/run_comparison.py" \
    --methods "simclr=$ROOT/configs/simclr_r50_${DATASET}.py" \
    "grass=$ROOT/configs/grass_r50_${DATASET}.py" \
    --finetune "$FINETUNE" --data-root "$DATA_ROOT" --gpus "$GPUS" \
    --label-fraction "$FRACTION" --seeds "${SEEDS:-1}" --work-dir "work_dirs/comparison_${DATASET}"
