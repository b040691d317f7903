# Sourced by tools/*.sh after they set ROOT: which OpenMMLab stack to use and
# where its environment lives.
#
#   GRASS_STACK  onedl      the maintained fork (onedl-mmengine, onedl-mmcv,
#                           onedl-mmpretrain, onedl-mmsegmentation); default
#                openmmlab  the original 1.x releases (mmcv 2.1.0 with ops)
#   GRASS_VENV   the environment folder (default: .venv for onedl,
#                .venv-openmmlab for openmmlab, at the repository root)
GRASS_STACK="${GRASS_STACK:-onedl}"
case "$GRASS_STACK" in
    onedl) GRASS_VENV="${GRASS_VENV:-$ROOT/.venv}" ;;
    openmmlab) GRASS_VENV="${GRASS_VENV:-$ROOT/.venv-openmmlab}" ;;
    *)
        echo "GRASS_STACK must be 'onedl' or 'openmmlab', not '$GRASS_STACK'" >&2
        exit 2
        ;;
esac
export GRASS_STACK GRASS_VENV
