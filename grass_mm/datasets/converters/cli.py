# Copyright (c) grass_mm contributors. All rights reserved.
"""Command-line pieces shared by ``tools/dataset_converters/*.py``.

The tools only parse arguments and call a converter of
`GraSS <https://arxiv.org/abs/2306.15868>`_ with plain values; the options
they have in common are declared once here.
"""
import argparse
import sys
from typing import Callable

from .archive import ConversionError
from .label_fractions import DEFAULT_PERCENTS
from .orthophotos import LABEL_CHOICES


def positive_int(text: str) -> int:
    """argparse type of sizes, strides and counts: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'expected a positive integer, got {text!r}') from None
    if value < 1:
        raise argparse.ArgumentTypeError(
            f'expected a positive integer, got {value}')
    return value


def add_common_arguments(parser: argparse.ArgumentParser,
                         default_out_dir: str,
                         patches: bool = False) -> None:
    """Add the archive folder, output and label-fraction options.

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
        default_out_dir (str): Output folder when ``-o`` is not given.
        patches (bool): Also add the options of the orthophoto converters,
            ``--clip-size``, ``--stride``, ``--labels`` and ``--bit-depth``.
            Defaults to False.
    """
    parser.add_argument(
        'archive_dir', help='folder holding the downloaded official archives')
    parser.add_argument(
        '-o',
        '--out-dir',
        default=default_out_dir,
        help=f'dataset folder to write (default: {default_out_dir})')
    if patches:
        parser.add_argument(
            '--clip-size',
            type=positive_int,
            default=512,
            help='side of the fine-tuning patches in pixels '
            '(default: 512)')
        parser.add_argument(
            '--stride',
            type=positive_int,
            default=None,
            help='step between TRAINING patches in pixels '
            '(default: the clip size, mmseg\'s protocol); '
            'validation patches always step by the clip '
            'size; the last row and column are flush with '
            'the tile edge')
        parser.add_argument(
            '--labels',
            choices=LABEL_CHOICES,
            default='auto',
            help='label version: eroded (boundaries '
            'ignored; mmseg\'s protocol), full, or auto: '
            'eroded when their archive is in ARCHIVE_DIR, '
            'else full (default: auto)')
        parser.add_argument(
            '--bit-depth',
            type=positive_int,
            default=None,
            help='bits of the data in 16-bit image tiles, '
            'e.g. 12 for 12-bit data stored in 16-bit files '
            '(16-bit tiles are refused without it)')
    parser.add_argument(
        '--fractions',
        type=float,
        nargs='+',
        default=list(DEFAULT_PERCENTS),
        help='label fractions in percent to write splits/train_{p}pct.txt '
        'for; the subsets are nested (default: %(default)s)')
    parser.add_argument(
        '--seed',
        type=int,
        default=0,
        help='seed of the label fractions (default: 0)')
    parser.add_argument(
        '--nproc',
        type=positive_int,
        default=1,
        help='worker processes (default: 1)')
    parser.add_argument(
        '--force',
        action='store_true',
        help='convert again even if the output is up to date')


def run_converter(convert: Callable, **kwargs) -> None:
    """Call ``convert(**kwargs)``; exit with a one-line message on failure.

    Args:
        convert (Callable): A ``convert_*`` function.
        **kwargs: Its arguments.
    """
    try:
        convert(**kwargs)
    except ConversionError as error:
        sys.stdout.flush()  # end a progress bar's line before the message
        print(f'\nerror: {error}', file=sys.stderr)
        sys.exit(1)
