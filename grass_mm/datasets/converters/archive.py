# Copyright (c) grass_mm contributors. All rights reserved.
"""Find, check and read the members of the official dataset archives.

The converters of `GraSS <https://arxiv.org/abs/2306.15868>`_ read the zip
files as the datasets ship them, without unpacking them whole. Everything
that can be checked before the slow part starts is checked here, and every
problem is a :class:`ConversionError` that says which archive or member is
wrong and what was expected.
"""
import os
import os.path as osp
import re
import shutil
import zipfile
import zlib
from collections import Counter
from typing import Dict, Iterable, List, Optional, Sequence


class ConversionError(RuntimeError):
    """A problem with a converter's inputs or outputs, stated for the user."""


def require_archives(archive_dir: str, names: Sequence[str]) -> List[str]:
    """Paths of the archives ``names`` in ``archive_dir``, all present.

    Args:
        archive_dir (str): Folder the user downloaded the archives to.
        names (Sequence[str]): Archive file names the dataset ships.

    Returns:
        list[str]: Their paths, in the order of ``names``.

    Raises:
        ConversionError: If the folder or any archive is missing.
    """
    if not osp.isdir(archive_dir):
        raise ConversionError(f'archive folder {archive_dir} does not exist')
    missing = [n for n in names if not osp.isfile(osp.join(archive_dir, n))]
    if missing:
        present = sorted(
            n for n in os.listdir(archive_dir) if n.lower().endswith('.zip'))
        raise ConversionError(
            f'missing archive(s) {", ".join(missing)} in {archive_dir}; '
            f'found: {", ".join(present) or "no zip files"}')
    return [osp.join(archive_dir, n) for n in names]


def open_zip(path: str) -> zipfile.ZipFile:
    """Open a zip archive, reporting a damaged one by name."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ConversionError(f'{path}: not a readable zip archive ({error}); '
                              'is the download complete?') from error


def list_members(path: str) -> List[str]:
    """Member names of a zip archive, each of them once.

    A zip file may hold two members of the same name (an archive appended
    to, or a broken re-pack); which of them a reader gets is then up to the
    reader, so such an archive is refused.

    Args:
        path (str): The archive.

    Returns:
        list[str]: Its member names, in archive order.

    Raises:
        ConversionError: If the archive cannot be read or a file name
            occurs more than once.
    """
    with open_zip(path) as zf:
        names = zf.namelist()
    counts = Counter(n for n in names if not n.endswith('/'))
    repeated = sorted(n for n, count in counts.items() if count > 1)
    if repeated:
        shown = ', '.join(f'{n} ({counts[n]} times)' for n in repeated[:5])
        extra = len(repeated) - 5
        more = f' and {extra} more' if extra > 0 else ''
        raise ConversionError(
            f'{path}: duplicate member name(s) {shown}{more}; expected each '
            'file once. Download the archive again')
    return names


def match_members(archive: str,
                  names: Iterable[str],
                  pattern: str,
                  folder: str = '',
                  suffix: str = '.tif') -> Dict[str, str]:
    """Map the ids in the member names of an archive to the members.

    Only members whose folder path ends with ``folder`` (any folder if
    empty) and whose name ends with ``suffix`` (case-insensitive) are
    considered; each of them must match ``pattern``, whose first group is the
    id, or it is reported as unexpected.

    Args:
        archive (str): Archive path, for messages.
        names (Iterable[str]): Its member names.
        pattern (str): Regular expression for the member's base name.
        folder (str): Folder the members must lie in, e.g. ``'top'``.
            Defaults to ''.
        suffix (str): Ending of the members considered. Defaults to '.tif'.

    Returns:
        dict[str, str]: Member name by id.

    Raises:
        ConversionError: On an unexpected or duplicated member name, or if
            no member matches.
    """
    regex = re.compile(pattern)
    found, unexpected = {}, []
    for name in names:
        if name.endswith('/') or not name.lower().endswith(suffix):
            continue
        parent, base = osp.split(name.rstrip('/'))
        if folder and not (parent == folder or parent.endswith('/' + folder)):
            continue
        match = regex.fullmatch(base)
        if match is None:
            unexpected.append(name)
            continue
        key = match.group(1)
        if key in found:
            raise ConversionError(f'{archive}: members {found[key]} and '
                                  f'{name} both hold tile {key}')
        found[key] = name
    if unexpected:
        shown = ', '.join(unexpected[:5])
        extra = len(unexpected) - 5
        more = f' and {extra} more' if extra > 0 else ''
        raise ConversionError(
            f'{archive}: unexpected member name(s) {shown}{more}; expected '
            f'names matching {pattern}' + (f' in {folder}/' if folder else ''))
    if not found:
        raise ConversionError(f'{archive}: no member matches {pattern}' +
                              (f' in {folder}/' if folder else '') +
                              '; is this the right archive?')
    return found


def check_ids(archive: str,
              found: Iterable[str],
              expected: Iterable[str],
              ignored: Iterable[str] = ()) -> None:
    """Require the tiles of an archive to be exactly the expected ones.

    Args:
        archive (str): Archive path, for messages.
        found (Iterable[str]): Tile ids found in it.
        expected (Iterable[str]): Tile ids the dataset ships.
        ignored (Iterable[str]): Ids allowed in the archive but not used.
            Defaults to ().

    Raises:
        ConversionError: Listing the missing and the unknown ids.
    """
    found, expected = set(found) - set(ignored), set(expected)
    missing, unknown = sorted(expected - found), sorted(found - expected)
    problems = []
    if missing:
        problems.append(
            f'missing {len(missing)} tile(s): {", ".join(missing)}')
    if unknown:
        problems.append(f'unknown tile(s): {", ".join(unknown)}')
    if problems:
        raise ConversionError(
            f'{archive}: expected the {len(expected)} tiles of the official '
            f'release, found {len(found)}; ' + '; '.join(problems))


def extract_member(zip_file: zipfile.ZipFile,
                   member: str,
                   dst: str,
                   archive: Optional[str] = None) -> str:
    """Copy one member to the file ``dst``, checking its CRC.

    Args:
        zip_file (zipfile.ZipFile): The open archive.
        member (str): Member name.
        dst (str): Destination file; its folder must exist.
        archive (str, optional): Archive path for messages. Defaults to None
            (the zip file's own name).

    Returns:
        str: ``dst``.
    """
    try:
        with zip_file.open(member) as src, open(dst, 'wb') as out:
            shutil.copyfileobj(src, out, 1 << 20)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
        raise ConversionError(
            f'{archive or zip_file.filename}:{member}: cannot be extracted '
            f'({error}); the archive is damaged') from error
    return dst
