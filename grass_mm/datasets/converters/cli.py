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


def add_common_arguments(parser: argparse.ArgumentParser,
                         default_out_dir: str,
                         patches: bool = False) -> None:
    """Add the archive folder, output and label-fraction options.

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
        default_out_dir (str): Output folder when ``-o`` is not given.
        patches (bool): Also add ``--clip-size`` and ``--stride``.
            Defaults to False.
    """
    parser.add_argument(
        'archive_dir', help='folder holding the downloaded official archives')
    parser.add_argument(
        '-o', '--out-dir', default=default_out_dir,
        help=f'dataset folder to write (default: {default_out_dir})')
    if patches:
        parser.add_argument('--clip-size', type=int, default=512,
                            help='side of the fine-tuning patches in pixels '
                            '(default: 512)')
        parser.add_argument('--stride', type=int, default=256,
                            help='step between patches in pixels; the last '
                            'row and column are flush with the tile edge '
                            '(default: 256)')
    parser.add_argument(
        '--fractions', type=float, nargs='+', default=list(DEFAULT_PERCENTS),
        help='label fractions in percent to write splits/train_{p}pct.txt '
        'for; the subsets are nested (default: %(default)s)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the label fractions (default: 0)')
    parser.add_argument('--nproc', type=int, default=1,
                        help='worker processes (default: 1)')
    parser.add_argument('--force', action='store_true',
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
