#!/usr/bin/env bash
# Create the environment grass_mm runs in, for one OpenMMLab stack.
#
#   bash tools/setup_env.sh                        # .venv/: the maintained
#                                                  #   OpenMMLab fork (default)
#   GRASS_STACK=openmmlab bash tools/setup_env.sh  # .venv-openmmlab/:
#                                                  #   the original 1.x releases
#
# The default stack (onedl) compiles nothing: every package is a wheel except
# onedl-mmcv, onedl-mmpretrain and onedl-mmsegmentation, which pip builds from
# pure-Python sources in an isolated build environment without torch, so
# mmcv's C++/CUDA ops are skipped (grass_mm and its configs use none). No
# compiler, nvcc or CUDA headers are needed, on a CPU or a GPU machine.
# The openmmlab stack needs mmcv 2.1.0 with compiled ops (mmsegmentation 1.2
# imports mmcv.ops): it is built from source once per torch version (about
# 10 minutes on 2 cores) and kept in a wheel cache outside the repository.
#
# Idempotent: a second run on a ready environment only checks and returns.
#
# Environment variables:
#   GRASS_STACK                onedl (default) or openmmlab (tools/stack.sh)
#   GRASS_VENV                 environment folder (default .venv, or
#                              .venv-openmmlab for the openmmlab stack)
#   GRASS_TORCH_VERSION        torch version      (onedl 2.14.1, openmmlab 2.12.1)
#   GRASS_TORCHVISION_VERSION  its torchvision    (onedl 0.29.1, openmmlab 0.27.1)
#   GRASS_TORCH_INDEX_URL      extra index for torch wheels of another CUDA
#                              version, e.g. https://download.pytorch.org/whl/cu128
#   GRASS_MMCV_FIND_LINKS      openmmlab only: a page with prebuilt mmcv
#                              wheels, tried before building, e.g. the index of
#                              https://download.openmmlab.com/mmcv/dist/
#   GRASS_CACHE_DIR            openmmlab only: the mmcv wheel cache
#                              (default ~/.cache/grass_mm)
#   PYTHON                     interpreter used to create it (default python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/tools/stack.sh"
VENV="$GRASS_VENV"
PYTHON="${PYTHON:-python3}"
if [[ "$GRASS_STACK" == onedl ]]; then
    TORCH_VERSION="${GRASS_TORCH_VERSION:-2.14.1}"
    TORCHVISION_VERSION="${GRASS_TORCHVISION_VERSION:-0.29.1}"
else
    TORCH_VERSION="${GRASS_TORCH_VERSION:-2.12.1}"
    TORCHVISION_VERSION="${GRASS_TORCHVISION_VERSION:-0.27.1}"
fi
MMCV_VERSION="2.1.0"
CACHE_DIR="${GRASS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/grass_mm}"

log() { echo "[setup_env] $*"; }

# A fingerprint of everything that decides the environment's content.
fingerprint() {
    cat "$ROOT/setup.py" "$ROOT"/requirements/*.txt "$ROOT/grass_mm/version.py" \
        "${BASH_SOURCE[0]}" "$ROOT/tools/stack.sh"
    echo "$GRASS_STACK $TORCH_VERSION $TORCHVISION_VERSION ${GRASS_TORCH_INDEX_URL:-}"
}
STAMP="$VENV/.grass_mm_env"
WANT="$(fingerprint | sha256sum | cut -d' ' -f1)"
CHECK="import grass_mm, mmseg.models, mmpretrain.models"
[[ "$GRASS_STACK" == openmmlab ]] && CHECK="$CHECK, mmcv.ops"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]] &&
    "$VENV/bin/python" -c "$CHECK" >/dev/null 2>&1; then
    log "$GRASS_STACK environment in $VENV is up to date"
    exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating $VENV ($GRASS_STACK stack)"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check)
"${PIP[@]}" --quiet "pip>=23"

# 1. torch / torchvision, a matching pair.
torch_args=("torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION")
if [[ -n "${GRASS_TORCH_INDEX_URL:-}" ]]; then
    torch_args+=(--extra-index-url "$GRASS_TORCH_INDEX_URL")
fi
if ! "$PY" - "$TORCH_VERSION" "$TORCHVISION_VERSION" <<'PYEOF' >/dev/null 2>&1
import sys
import torch, torchvision
want_torch, want_tv = sys.argv[1:]
assert torch.__version__.split('+')[0] == want_torch
assert torchvision.__version__.split('+')[0] == want_tv
PYEOF
then
    log "installing torch $TORCH_VERSION / torchvision $TORCHVISION_VERSION"
    "${PIP[@]}" --quiet "${torch_args[@]}"
fi
TORCH_FULL="$("$PY" -c 'import torch; print(torch.__version__)')"

# 2. The OpenMMLab stack, the package (editable) and the test tools.
PROJECT=(-e "$ROOT[$GRASS_STACK]" -r "$ROOT/requirements/tests.txt"
    -r "$ROOT/requirements/optional.txt")
if [[ "$GRASS_STACK" == onedl ]]; then
    # Wheels only, but for the fork's three pure-Python source releases.
    log "installing the onedl stack (no compiled code)"
    "${PIP[@]}" --quiet --only-binary=:all: \
        --no-binary=onedl-mmcv,onedl-mmpretrain,onedl-mmsegmentation \
        "${PROJECT[@]}"
    if compiled="$("$PY" - <<'PYEOF'
import glob, os, mmcv
print(' '.join(glob.glob(os.path.join(os.path.dirname(mmcv.__file__), '_ext*'))))
PYEOF
)" && [[ -n "$compiled" ]]; then
        log "note: this mmcv carries compiled ops ($compiled); grass_mm does not use them"
    fi
else
    # mmcv with compiled ops, from a wheel cache keyed by torch and Python.
    "${PIP[@]}" --quiet "setuptools<70" wheel ninja
    PY_TAG="$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
    WHEEL_DIR="$CACHE_DIR/mmcv-$MMCV_VERSION/torch-$TORCH_FULL-$PY_TAG"
    if ! "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" >/dev/null 2>&1; then
        mkdir -p "$WHEEL_DIR"
        if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1 && [[ -n "${GRASS_MMCV_FIND_LINKS:-}" ]]; then
            log "looking for a prebuilt mmcv $MMCV_VERSION in $GRASS_MMCV_FIND_LINKS"
            "$PY" -m pip download --no-deps --only-binary=:all: --no-cache-dir \
                -f "$GRASS_MMCV_FIND_LINKS" -d "$WHEEL_DIR" "mmcv==$MMCV_VERSION" ||
                log "no prebuilt wheel found; building from source"
        fi
        if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
            log "building mmcv $MMCV_VERSION against torch $TORCH_FULL (about 10 minutes on 2 cores)"
            "${PIP[@]}" --quiet "mmengine>=0.10.0,<0.11.0"
            build_dir="$(mktemp -d)"
            MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
                "$PY" -m pip wheel --no-build-isolation --no-deps --no-cache-dir \
                -w "$build_dir" "mmcv==$MMCV_VERSION"
            mv "$build_dir"/mmcv-*.whl "$WHEEL_DIR"/
            rm -rf "$build_dir"
        fi
        log "installing mmcv from $WHEEL_DIR"
        "${PIP[@]}" --quiet --no-cache-dir "$WHEEL_DIR"/mmcv-*.whl
    fi
    log "installing the openmmlab stack"
    "${PIP[@]}" --quiet "${PROJECT[@]}"
fi

"$PY" -c "$CHECK; import grass_mm.version as v; print('grass_mm', v.__version__)"
echo "$WANT" >"$STAMP"
log "ready: $VENV ($GRASS_STACK stack, torch $TORCH_FULL)"
