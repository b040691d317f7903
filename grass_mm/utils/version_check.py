# Copyright (c) grass_mm contributors. All rights reserved.
"""Check that the installed torch and OpenMMLab packages are supported.

The supported ranges live in :data:`grass_mm.version.TORCH_VERSIONS` and
:data:`grass_mm.version.OPENMMLAB_VERSIONS`.
Versions are read from the installed distributions' metadata, so a wrong
version is reported by name before importing it fails in some other way (for
instance mmsegmentation asserting on the mmcv version at import).
"""
from importlib import import_module, metadata, util
from typing import Dict, List, Mapping, Optional, Tuple

from grass_mm.version import OPENMMLAB_VERSIONS, TORCH_VERSIONS

# Distribution name -> import name, where the two differ.
IMPORT_NAMES = {'mmsegmentation': 'mmseg'}

# Every range that ``import grass_mm`` checks.
REQUIRED_VERSIONS = {**TORCH_VERSIONS, **OPENMMLAB_VERSIONS}

# (minimum inclusive, maximum exclusive, or None for no maximum)
VersionRange = Tuple[str, Optional[str]]


class OpenMMLabVersionError(ImportError):
    """A package grass_mm needs (torch, OpenMMLab) is missing or out of
    range."""


def _requirement(name: str, version_range: VersionRange) -> str:
    low, high = version_range
    return f'{name}>={low}' + (f',<{high}' if high is not None else '')


def install_hint(name: str, version_range: VersionRange) -> str:
    """Say how to install a supported version of one package.

    Args:
        name (str): Distribution name, e.g. ``'mmpretrain'``.
        version_range (tuple[str, str | None]): Minimum (inclusive) and
            maximum (exclusive, None for none) version.

    Returns:
        str: The commands to run.
    """
    low, high = version_range
    if name == 'torch':
        return (f'run `bash tools/setup_env.sh`, or `pip install '
                f'"{_requirement(name, version_range)}"` with its matching '
                'torchvision and then rebuild mmcv against it (grass_mm '
                'needs torch.load(weights_only=True) with the allow-list of '
                f'torch >= {low} to load checkpoints safely)')
    if name == 'mmcv':
        return (f'run `bash tools/setup_env.sh`, or `mim install mmcv=={low}`'
                ', or build it from source with compiled ops: '
                f'`MMCV_WITH_OPS=1 pip install --no-build-isolation '
                f'mmcv=={low}` (mmcv-lite is not enough)')
    return (f'run `bash tools/setup_env.sh` or '
            f'`pip install "{_requirement(name, version_range)}"`')


def _in_range(version: tuple, low: tuple, high: Optional[tuple]) -> bool:
    return low <= version and (high is None or version < high)


def _describe(name: str) -> str:
    import_name = IMPORT_NAMES.get(name, name)
    if import_name == name:
        return name
    return f'{name} (imported as {import_name})'


def find_version_problems(
    found: Mapping[str, Optional[str]],
    required: Mapping[str, VersionRange] = OPENMMLAB_VERSIONS,
) -> List[str]:
    """List what is wrong with a set of installed versions.

    A pure function: it looks at nothing but its arguments.

    Args:
        found (Mapping[str, str | None]): Distribution name to the installed
            version, ``None`` (or no entry) when it is not installed.
        required (Mapping[str, tuple[str, str | None]]): Distribution name
            to the minimum (inclusive) and maximum (exclusive, None for none)
            version. Defaults to :data:`grass_mm.version.OPENMMLAB_VERSIONS`.

    Returns:
        list[str]: One message per missing or out-of-range package, empty when
        every package is in range.
    """
    try:
        from mmengine.utils import digit_version
    except ImportError:  # mmengine itself is missing: reported below
        digit_version = None

    problems = []
    for name, (low, high) in required.items():
        version = found.get(name)
        wanted = _requirement(name, (low, high))
        if version is None:
            problems.append(f'{_describe(name)} is not installed; grass_mm '
                            f'needs {wanted}: '
                            f'{install_hint(name, (low, high))}.')
        elif digit_version is not None and not _in_range(
                digit_version(version), digit_version(low),
                None if high is None else digit_version(high)):
            problems.append(f'{_describe(name)} {version} is installed, but '
                            f'grass_mm needs {wanted}: '
                            f'{install_hint(name, (low, high))}.')
    return problems


def check_version_mapping(
    found: Mapping[str, Optional[str]],
    required: Mapping[str, VersionRange] = OPENMMLAB_VERSIONS,
) -> None:
    """Raise when a set of installed versions is not supported.

    Args:
        found (Mapping[str, str | None]): Distribution name to the installed
            version, ``None`` when it is not installed.
        required (Mapping[str, tuple[str, str | None]]): Supported ranges.
            Defaults to :data:`grass_mm.version.OPENMMLAB_VERSIONS`.

    Raises:
        OpenMMLabVersionError: Listing every missing or out-of-range package.
    """
    problems = find_version_problems(found, required)
    if problems:
        raise OpenMMLabVersionError('Unsupported OpenMMLab environment:\n  ' +
                                    '\n  '.join(problems))


def installed_version(name: str) -> Optional[str]:
    """Installed version of a distribution, ``None`` when it is missing.

    The distribution's metadata is read first, so the package is not
    imported; a package without metadata (e.g. on ``PYTHONPATH``) is imported
    and its ``__version__`` read.

    Args:
        name (str): Distribution name, e.g. ``'mmsegmentation'``.

    Returns:
        str | None: The version string.
    """
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        pass
    import_name = IMPORT_NAMES.get(name, name)
    if util.find_spec(import_name) is None:
        return None
    try:
        return getattr(import_module(import_name), '__version__', None)
    except Exception:  # a broken install is reported as missing
        return None


def installed_versions(
        names: Optional[List[str]] = None) -> Dict[str, Optional[str]]:
    """Installed versions of some distributions.

    Args:
        names (list[str], optional): Distribution names. Defaults to the keys
            of :data:`grass_mm.version.OPENMMLAB_VERSIONS`.

    Returns:
        dict[str, str | None]: Name to version, ``None`` for missing ones.
    """
    if names is None:
        names = list(OPENMMLAB_VERSIONS)
    return {name: installed_version(name) for name in names}


def check_versions() -> None:
    """Check the installed torch and OpenMMLab packages against grass_mm's
    ranges (:data:`REQUIRED_VERSIONS`).

    Raises:
        OpenMMLabVersionError: When one is missing or out of range; the
            message names the package, the version found, the range needed
            and what to run.
    """
    check_version_mapping(
        installed_versions(list(REQUIRED_VERSIONS)), REQUIRED_VERSIONS)
