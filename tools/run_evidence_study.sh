#!/usr/bin/env bash
# The seeded study of docs/evidence.md on the embedded Dubai aerial imagery.
#
#   1. tools/run_comparison.py: SimCLR, GraSS and GraSS with each control
#      (random boxes of the GS boxes' size, boxes of the negated map), each
#      pretrained and fine-tuned once per seed at 100% and a low fraction of
#      the labels (configs/evidence/);
#   2. tools/analyze_sampling.py on every seed's GraSS checkpoints at the end
#      of the warm-up, in the middle of GS training and at the end: class
#      purity of the GS boxes against random and opposite boxes;
#   3. tools/plot_purity_curve.py: the purity over the schedule;
#   4. tools/probe_checkpoint.py on every final checkpoint and on the random
#      initialisation of each seed (the linear segmentation probe, fitted on
#      the low fraction), tabulated by tools/summarize_probes.py.
#
# Interrupted, it resumes: finished runs and reports are kept. The result of
# every finished fine-tuning and purity analysis is also kept in
# docs/evidence/runs/ (small JSON files, committed), and restored from there
# first, so the study grows over machines: a rerun with more seeds trains
# only the seeds that no run has finished.
# Usage: bash tools/run_evidence_study.sh [SEEDS] [LOW_FRACTION]
#   SEEDS defaults to 5, LOW_FRACTION (percent) to 10; WORK_DIR=... to write
#   elsewhere than work_dirs/evidence.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tools/stack.sh  # GRASS_STACK=openmmlab for the OpenMMLab 1.x stack
bash tools/setup_env.sh

PY="$GRASS_VENV/bin/python"
SEEDS="${1:-5}"
LOW="${2:-10}"
WORK="${WORK_DIR:-work_dirs/evidence}"
CFG=configs/evidence
EPOCHS=4
CHECKPOINTS=(2 3 4)  # end of warm-up, middle of GS training, end
RUNS=docs/evidence/runs

# finished results: RUNS/{method}/seed_{s}/finetune_{p}pct.json <->
# WORK/{method}/seed_{s}/finetune_{p}pct/result.json, and
# RUNS/{purity,probe}/*.json <-> WORK/{purity,probe}/*.json
restore() {
    local file run
    [[ -d "$RUNS" ]] || return 0
    while IFS= read -r file; do
        run="$WORK/${file#"$RUNS"/}"
        run="${run%.json}/result.json"
        [[ -f "$run" ]] || { mkdir -p "${run%/*}"; cp "$file" "$run"; }
    done < <(find "$RUNS" \( -path "$RUNS/purity" -o -path "$RUNS/probe" \) \
                  -prune -o -name 'finetune_*pct.json' -print)
    for dir in purity probe; do
        [[ -d "$RUNS/$dir" ]] || continue
        mkdir -p "$WORK/$dir"
        find "$RUNS/$dir" -name '*.json' -exec cp -n {} "$WORK/$dir/" \;
    done
}
archive() {
    local run file
    while IFS= read -r run; do
        file="$RUNS/${run#"$WORK"/}"
        file="${file%/result.json}.json"
        mkdir -p "${file%/*}"
        cp "$run" "$file"
    done < <(find "$WORK" -path '*/finetune_*pct/result.json')
    for dir in purity probe; do
        [[ -d "$WORK/$dir" ]] || continue
        mkdir -p "$RUNS/$dir"
        find "$WORK/$dir" -name '*.json' -exec cp {} "$RUNS/$dir/" \;
    done
}
restore
trap archive EXIT

"$PY" tools/dataset_converters/dubai_aerial.py demo/dubai_aerial \
    -o data/dubai-aerial

METHODS=(simclr grass grass-random-box grass-opposite-box)  # simclr: baseline
FINETUNE="$CFG/upernet_r18_1xb8-100it_dubai-aerial.py"
config_of() {  # config_of METHOD: its pretraining config
    echo "$CFG/${1}_r18_1xb16-${EPOCHS}e_dubai-aerial.py"
}
method_args=()
for method in "${METHODS[@]}"; do
    method_args+=("$method=$(config_of "$method")")
done
"$PY" tools/run_comparison.py --methods "${method_args[@]}" \
    --finetune "$FINETUNE" \
    --seeds "$SEEDS" --label-fraction 100 "$LOW" --work-dir "$WORK"

mkdir -p "$WORK/purity"
for seed_dir in "$WORK"/grass/seed_*; do
    seed="${seed_dir##*/seed_}"
    for epoch in "${CHECKPOINTS[@]}"; do
        out="$WORK/purity/grass_seed${seed}_epoch${epoch}.json"
        # a report without an "interval" entry has per-view intervals (too
        # narrow): redone when the checkpoint is there, else kept
        [[ -f "$out" ]] && grep -q '"interval"' "$out" && continue
        if [[ ! -f "$seed_dir/pretrain/epoch_${epoch}.pth" ]]; then
            echo "grass seed $seed: no epoch_${epoch}.pth (restored" \
                 "fine-tuning results only): no purity analysis"
            continue
        fi
        "$PY" tools/analyze_sampling.py "$(config_of grass)" \
            "$seed_dir/pretrain/epoch_${epoch}.pth" \
            --data-config data/dubai-aerial/img_dir/val \
            data/dubai-aerial/ann_dir/val --reduce-zero-label \
            --img-size 112 --seed "$seed" --out "$out"
    done
done
"$PY" tools/plot_purity_curve.py "$WORK"/purity/grass_seed*_epoch*.json \
    --warmup "${CHECKPOINTS[0]}" --out "$WORK/purity_curve.png"

# The linear segmentation probe of every final checkpoint and of the random
# initialisation of the same seed, fitted on the low-fraction split.
probe() {  # probe NAME SEED CONFIG CHECKPOINT|none
    local out="$WORK/probe/${1}_seed${2}.json"
    [[ -f "$out" ]] && return 0
    "$PY" tools/probe_checkpoint.py "$3" "$4" --seed "$2" \
        --data-config "$FINETUNE" \
        --label-fraction "$LOW" --out "$out"
}
mkdir -p "$WORK/probe"
for method in "${METHODS[@]}"; do
    for seed_dir in "$WORK/$method"/seed_*; do
        seed="${seed_dir##*/seed_}"
        checkpoint="$seed_dir/pretrain/epoch_${EPOCHS}.pth"
        if [[ ! -f "$checkpoint" ]]; then
            echo "$method seed $seed: no epoch_${EPOCHS}.pth: not probed"
            continue
        fi
        probe "$method" "$seed" "$(config_of "$method")" "$checkpoint"
        probe random-init "$seed" "$(config_of simclr)" none
    done
done
"$PY" tools/summarize_probes.py "$WORK"/probe/*_seed*.json \
    --baseline simclr --out "$WORK/probe_results.md"
