#!/usr/bin/env bash
# Create `.venv/` at the repository root with everything grass_mm needs.
#
# Idempotent: a second run on a ready machine only checks and returns.
# mmcv 2.1.0 (full, with compiled ops) is built from source once per torch
# version and kept in a wheel cache outside the repository.
#
# Environment variables:
#   GRASS_TORCH_VERSION        torch version to install        (default 2.12.1)
#   GRASS_TORCHVISION_VERSION  matching torchvision version    (default 0.27.1)
#   GRASS_TORCH_INDEX_URL      extra index for torch wheels, e.g.
#                              https://download.pytorch.org/whl/cu121
#   GRASS_MMCV_FIND_LINKS      a page with prebuilt mmcv wheels, tried before
#                              building, e.g. the index of
#                              https://download.openmmlab.com/mmcv/dist/
#   GRASS_CACHE_DIR            wheel cache (default ~/.cache/grass_mm)
#   GRASS_VENV                 environment folder (default <repo>/.venv)
#   PYTHON                     interpreter used to create it (default python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${GRASS_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
TORCH_VERSION="${GRASS_TORCH_VERSION:-2.12.1}"
TORCHVISION_VERSION="${GRASS_TORCHVISION_VERSION:-0.27.1}"
MMCV_VERSION="2.1.0"
MMENGINE_VERSION="0.10.7"
MMPRETRAIN_VERSION="1.2.0"
MMSEG_VERSION="1.2.2"
CACHE_DIR="${GRASS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/grass_mm}"

log() { echo "[setup_env] $*"; }

# A fingerprint of everything that decides the environment's content.
fingerprint() {
    cat "$ROOT/setup.py" "$ROOT"/requirements/*.txt "${BASH_SOURCE[0]}"
    echo "$TORCH_VERSION $TORCHVISION_VERSION ${GRASS_TORCH_INDEX_URL:-}"
}
STAMP="$VENV/.grass_mm_env"
WANT="$(fingerprint | sha256sum | cut -d' ' -f1)"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]] &&
    "$VENV/bin/python" -c "import grass_mm, mmcv.ops" >/dev/null 2>&1; then
    log "environment in $VENV is up to date"
    exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check)

"${PIP[@]}" --quiet "pip>=23" "setuptools<70" wheel ninja

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
    "${PIP[@]}" "${torch_args[@]}"
fi
TORCH_FULL="$("$PY" -c 'import torch; print(torch.__version__)')"
PY_TAG="$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"

# 2. mmengine, then mmcv with compiled ops from the cache keyed by torch.
"${PIP[@]}" --quiet "mmengine==$MMENGINE_VERSION"
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
        log "building mmcv $MMCV_VERSION against torch $TORCH_FULL (about 15 minutes on 2 cores)"
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

# 3. mmpretrain, mmsegmentation, the package (editable) and the test tools.
"${PIP[@]}" --quiet "mmpretrain==$MMPRETRAIN_VERSION" "mmsegmentation==$MMSEG_VERSION"
"${PIP[@]}" --quiet -e "$ROOT" -r "$ROOT/requirements/tests.txt" -r "$ROOT/requirements/optional.txt"

"$PY" -c "import grass_mm, mmcv.ops, mmseg, mmpretrain; print('grass_mm', grass_mm.__version__)"
echo "$WANT" >"$STAMP"
log "ready: $VENV (torch $TORCH_FULL)"
