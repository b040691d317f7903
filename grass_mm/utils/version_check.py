# Copyright (c) grass_mm contributors. All rights reserved.
"""Check that the installed torch and OpenMMLab packages are supported.

grass_mm runs on either OpenMMLab stack of :data:`grass_mm.version.STACKS`:
the maintained ``onedl`` fork or the original ``openmmlab`` 1.x releases.
Both install the import names ``mmengine``, ``mmcv``, ``mmpretrain`` and
``mmseg``, under different distribution names, so the check looks up which
distribution provides each import name and which stack that distribution
belongs to. It reports, by name and before anything fails in a more obscure
way, a missing package, a version out of range, a package from the other
stack (the state ``pip`` leaves when a requirement of the original names is
installed into a fork environment) and an import name provided twice.
"""
import re
from importlib import import_module, metadata, util
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from packaging.version import Version

from grass_mm.version import DEFAULT_STACK, STACKS, TORCH_VERSIONS

# (minimum inclusive, maximum exclusive, or None for no maximum)
VersionRange = Tuple[str, Optional[str]]
# import name -> (distribution, minimum, maximum) of one stack
Stack = Mapping[str, Tuple[str, str, str]]
# (distribution or None for a package without metadata, version or None)
Provider = Tuple[Optional[str], Optional[str]]

IMPORT_NAMES = tuple(STACKS[DEFAULT_STACK])


class OpenMMLabVersionError(ImportError):
    """A package grass_mm needs (torch, OpenMMLab) is missing or out of
    range."""


def _requirement(name: str, low: str, high: Optional[str]) -> str:
    return f'{name}>={low}' + (f',<{high}' if high is not None else '')


def _in_range(version: str, low: str, high: Optional[str]) -> bool:
    parsed = Version(version)
    return Version(low) <= parsed and (high is None or parsed < Version(high))


def stack_requirements(stack: str) -> List[str]:
    """The pip requirements of one stack's four OpenMMLab packages.

    Args:
        stack (str): A key of :data:`grass_mm.version.STACKS`.

    Returns:
        list[str]: E.g. ``['onedl-mmengine>=0.10.12,<0.11.0', ...]``.
    """
    return [
        _requirement(dist, low, high)
        for dist, low, high in STACKS[stack].values()
    ]


def install_hint(stack: str, import_name: str) -> str:
    """Say how to install the supported version of one package of a stack.

    Args:
        stack (str): A key of :data:`grass_mm.version.STACKS`.
        import_name (str): E.g. ``'mmseg'``.

    Returns:
        str: The commands to run.
    """
    dist, low, high = STACKS[stack][import_name]
    requirement = _requirement(dist, low, high)
    if stack == 'openmmlab' and import_name == 'mmcv':
        return ('run `GRASS_STACK=openmmlab bash tools/setup_env.sh`, or '
                f'`mim install mmcv=={low}`, or build it with compiled ops: '
                f'`MMCV_WITH_OPS=1 pip install --no-build-isolation '
                f'mmcv=={low}` (mmsegmentation 1.2 imports mmcv.ops, so '
                'mmcv-lite is not enough)')
    setup = ('bash tools/setup_env.sh' if stack == DEFAULT_STACK else
             f'GRASS_STACK={stack} bash tools/setup_env.sh')
    return (f'run `{setup}`, or `pip install "{requirement}"` (all four: '
            f'`pip install "grass_mm[{stack}]"`)')


def torch_hint(version_range: VersionRange) -> str:
    """Say how to install a supported torch."""
    low, high = version_range
    return (f'run `bash tools/setup_env.sh`, or `pip install '
            f'"{_requirement("torch", low, high)}"` with its matching '
            'torchvision (on the openmmlab stack, rebuild mmcv against it); '
            'grass_mm needs torch.load(weights_only=True) with the '
            f'allow-list of torch >= {low} to load checkpoints safely')


def find_version_problems(
    found: Mapping[str, Optional[str]],
    required: Mapping[str, VersionRange] = TORCH_VERSIONS,
) -> List[str]:
    """List what is wrong with the installed versions of plain packages.

    A pure function, used for torch, whose distribution name is the same on
    both stacks.

    Args:
        found (Mapping[str, str | None]): Distribution name to the installed
            version, ``None`` (or no entry) when it is not installed.
        required (Mapping[str, tuple[str, str | None]]): Distribution name
            to the minimum (inclusive) and maximum (exclusive, None for none)
            version. Defaults to :data:`grass_mm.version.TORCH_VERSIONS`.

    Returns:
        list[str]: One message per missing or out-of-range package.
    """
    problems = []
    for name, (low, high) in required.items():
        version = found.get(name)
        wanted = _requirement(name, low, high)
        if version is None:
            problems.append(f'{name} is not installed; grass_mm needs '
                            f'{wanted}: {torch_hint((low, high))}.')
        elif not _in_range(version, low, high):
            problems.append(f'{name} {version} is installed, but grass_mm '
                            f'needs {wanted}: {torch_hint((low, high))}.')
    return problems


def _stack_of(dist: Optional[str]) -> Optional[str]:
    for stack, packages in STACKS.items():
        if dist in {entry[0] for entry in packages.values()}:
            return stack
    return None


def guess_stack(found: Mapping[str, Sequence[Provider]]) -> str:
    """The stack most of the installed OpenMMLab distributions belong to.

    Args:
        found (Mapping[str, Sequence[tuple]]): Import name to the
            ``(distribution, version)`` pairs that provide it.

    Returns:
        str: A key of :data:`grass_mm.version.STACKS`; the default stack
        when none of its distributions is installed (or on a tie).
    """
    votes = {stack: 0 for stack in STACKS}
    for providers in found.values():
        for dist, _ in providers:
            stack = _stack_of(dist)
            if stack is not None:
                votes[stack] += 1
    best = max(votes.values())
    if votes[DEFAULT_STACK] == best:
        return DEFAULT_STACK
    return max(votes, key=votes.get)


def _provider_problem(stack: str, import_name: str,
                      provider: Provider) -> Optional[str]:
    dist, low, high = STACKS[stack][import_name]
    found_dist, version = provider
    wanted = f'{_requirement(dist, low, high)} ({stack} stack)'
    hint = install_hint(stack, import_name)
    if found_dist is None:  # no metadata, e.g. a source tree on PYTHONPATH
        if version is not None and _in_range(version, low, high):
            return None
        return (f'{import_name} {version or "(unknown version)"} is '
                f'importable without package metadata, but grass_mm needs '
                f'{wanted}: {hint}.')
    if found_dist != dist:
        other = _stack_of(found_dist)
        origin = (f'of the {other} stack'
                  if other is not None else 'which no supported stack uses')
        return (f'{import_name} is provided by {found_dist} {version}, '
                f'{origin}, but the other OpenMMLab packages here are of the '
                f'{stack} stack, which needs {wanted}: '
                f'`pip uninstall -y {found_dist}`, then {hint}.')
    if version is None or not _in_range(version, low, high):
        return (f'{dist} {version} is installed (imported as {import_name}), '
                f'but grass_mm needs {wanted}: {hint}.')
    return None


def find_stack_problems(
    found: Mapping[str, Sequence[Provider]],
    stacks: Optional[Sequence[str]] = None,
) -> Tuple[str, List[str]]:
    """Check the installed OpenMMLab packages against the supported stacks.

    A pure function: it looks at nothing but its arguments.

    Args:
        found (Mapping[str, Sequence[tuple]]): Import name (``'mmcv'``,
            ``'mmengine'``, ``'mmpretrain'``, ``'mmseg'``) to the
            ``(distribution, version)`` pairs that provide it: none when it is
            not installed, more than one when two distributions install the
            same import name. ``distribution`` is ``None`` for a package
            without metadata.
        stacks (Sequence[str], optional): Restrict the check to these keys
            of :data:`grass_mm.version.STACKS`. Defaults to all.

    Returns:
        tuple[str, list[str]]: The stack the environment was checked against
        and one message per problem, empty when the environment is a
        supported stack.
    """
    stack = guess_stack(found)
    if stacks is not None and stack not in stacks:
        stack = stacks[0]
    problems = []
    for import_name, (dist, low, high) in STACKS[stack].items():
        providers = list(found.get(import_name, ()))
        if not providers:
            problems.append(
                f'{import_name} is not installed; grass_mm needs '
                f'{_requirement(dist, low, high)} ({stack} stack): '
                f'{install_hint(stack, import_name)}.')
        elif len(providers) > 1:
            names = ' and '.join(f'{name} {version}'
                                 for name, version in providers)
            others = [name for name, _ in providers if name != dist]
            problems.append(
                f'{import_name} is installed twice, by {names}, whose files '
                'overwrite each other: `pip uninstall -y '
                f'{" ".join(str(name) for name in others)} {dist}`, then '
                f'{install_hint(stack, import_name)}.')
        else:
            problem = _provider_problem(stack, import_name, providers[0])
            if problem is not None:
                problems.append(problem)
    return stack, problems


def installed_providers(
        import_names: Sequence[str] = IMPORT_NAMES
) -> Dict[str, List[Provider]]:
    """Which installed distributions provide some import names.

    Distributions are found by their metadata, without importing them; a
    package without metadata (e.g. a source tree on ``PYTHONPATH``) is
    imported and its ``__version__`` read.

    Args:
        import_names (Sequence[str]): E.g. ``['mmcv', 'mmseg']``. Defaults
            to the four OpenMMLab packages.

    Returns:
        dict[str, list[tuple]]: Import name to ``(distribution, version)``
        pairs, empty when it is not installed.
    """
    distributions = metadata.packages_distributions()
    found = {}
    for name in import_names:
        dists = sorted(set(distributions.get(name, ())))
        # 'onedl_mmcv' and 'ONEDL-mmcv' name the same distribution
        found[name] = [(re.sub(r'[-_.]+', '-',
                               dist).lower(), metadata.version(dist))
                       for dist in dists]
        if not dists and util.find_spec(name) is not None:
            try:
                version = getattr(import_module(name), '__version__', None)
            except Exception:  # a broken install: its version is unknown
                version = None
            found[name] = [(None, version)]
    return found


def installed_version(name: str) -> Optional[str]:
    """Installed version of a distribution, ``None`` when it is missing."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_versions() -> str:
    """Check torch and the OpenMMLab packages against grass_mm's ranges.

    Returns:
        str: The stack the environment belongs to (a key of
        :data:`grass_mm.version.STACKS`).

    Raises:
        OpenMMLabVersionError: When a package is missing, out of range, from
            the other stack or installed twice; the message names the
            package, the version found, the range needed and what to run.
    """
    problems = find_version_problems(
        {name: installed_version(name)
         for name in TORCH_VERSIONS}, TORCH_VERSIONS)
    stack, stack_problems = find_stack_problems(installed_providers())
    problems += stack_problems
    if problems:
        supported = '; '.join(f'{name}: {", ".join(stack_requirements(name))}'
                              for name in STACKS)
        raise OpenMMLabVersionError(
            f'Unsupported OpenMMLab environment (checked as the {stack} '
            f'stack; supported stacks are {supported}):\n  ' +
            '\n  '.join(problems))
    return stack
