#!/usr/bin/env bash
# The end-to-end demo of grass_mm on CPU, on data shipped with the repository.
#
# Data: 72 real aerial images of Dubai with 5-class masks (CC0, see
# demo/dubai_aerial/README.md), cut into 256 x 256 patches: 56 images for
# training, 16 for validation.
#
#   1. GraSS pretraining of a ResNet-18: 1 epoch of ID warm-up, then 3 epochs
#      of gradient guided sampling (configs/demo/grass_r18_*.py, the paper's
#      recipe with tiny overrides);
#   2. sampling visualisations, curves and the purity analysis of the boxes
#      (GS boxes against random boxes of the same size) under work_dirs/demo/;
#   3. fine-tuning a UPerNet from that checkpoint (configs/demo/upernet_*.py);
#   4. tools/test.py on the validation images: per-class IoU, then `mIoU: X`.
#
# About 15 minutes on 2 CPU cores once the environment is set up (895 s
# measured, the two probes about 45 s of it).
# Usage: bash tools/demo.sh   (WORK_DIR=... to write elsewhere)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tools/stack.sh  # GRASS_STACK=openmmlab for the OpenMMLab 1.x stack
bash tools/setup_env.sh

PY="$GRASS_VENV/bin/python"
WORK="${WORK_DIR:-work_dirs/demo}"
PRETRAIN_CFG=configs/demo/grass_r18_1xb16-4e_dubai-aerial-demo.py
FINETUNE_CFG=configs/demo/upernet_r18-grass_1xb8-300it_dubai-aerial-demo.py
# step NAME [DESCRIPTION]: ends the clock of the previous stage, starts NAME's
STAGE=
STAGE_START=$SECONDS
TIMES=()
step() {
    end_stage
    STAGE="$1"
    STAGE_START=$SECONDS
    echo
    echo "==== $* ===="
}
end_stage() {
    [[ -z "$STAGE" ]] && return 0
    TIMES+=("$(printf '%6d s  %s' $((SECONDS - STAGE_START)) "$STAGE")")
}
DEMO_START=$SECONDS

step "data" "Dubai aerial imagery (demo/dubai_aerial) -> data/dubai-aerial"
"$PY" tools/dataset_converters/dubai_aerial.py demo/dubai_aerial \
    -o data/dubai-aerial

step "1/4 pretraining" "GraSS: ID warm-up, then GS training"
"$PY" tools/train.py "$PRETRAIN_CFG" --work-dir "$WORK/pretrain"
PRETRAINED="$WORK/pretrain/epoch_4.pth"

step "2/4 sampling analysis" "what the sampler chooses: $WORK/sampling/," \
    "$WORK/sampling_curves.png, $WORK/purity.json"
mapfile -t VAL_IMAGES < <(ls data/dubai-aerial/img_dir/val/tile*_part009_0_0.png)
"$PY" tools/visualize_sampling.py "$PRETRAIN_CFG" "$PRETRAINED" \
    --images "${VAL_IMAGES[@]}" --out-dir "$WORK/sampling"
"$PY" tools/plot_sampling_curves.py "$WORK/pretrain" \
    --out "$WORK/sampling_curves.png"
# are GS boxes purer in land-cover class than random boxes of the same size?
"$PY" tools/analyze_sampling.py "$PRETRAIN_CFG" "$PRETRAINED" \
    --data-config data/dubai-aerial/img_dir/val data/dubai-aerial/ann_dir/val \
    --reduce-zero-label --img-size 112 --out "$WORK/purity.json"

step "3/4 fine-tuning" "UPerNet from $PRETRAINED"
"$PY" tools/train.py "$FINETUNE_CFG" --work-dir "$WORK/finetune" \
    --cfg-options "model.backbone.init_cfg.checkpoint=$PRETRAINED"

step "4/4 evaluation" "tools/test.py on the validation images"
"$PY" tools/test.py "$FINETUNE_CFG" "$WORK/finetune/iter_300.pth" \
    --work-dir "$WORK/test"
end_stage

echo
echo "==== time per stage ===="
printf '%s\n' "${TIMES[@]}"
printf '%6d s  in all\n' $((SECONDS - DEMO_START))
