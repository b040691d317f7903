# Copyright (c) grass_mm contributors. All rights reserved.
"""Write a converted dataset so that an interrupted run or a rerun is safe.

A conversion writes into a hidden staging folder inside the output folder.
Only when it has finished are its parts (``img_dir``, ``ann_dir``,
``pretrain``, ``splits``) swapped in, replacing the parts of an earlier run
as a whole, so patches of an earlier run with another clip size or stride
never mix with new ones, and a failed run leaves the earlier output as it
was. A stamp file records the inputs and options; a rerun with the same
ones finds the output up to date and does nothing. Files of the output
folder other than the converter's parts are never touched.
"""
import json
import os
import os.path as osp
import shutil
from typing import Sequence

STAMP_NAME = '.grass_mm_conversion.json'
STAGING_NAME = '.grass_mm_staging'
TRASH_NAME = '.grass_mm_replaced'


class StagedOutput:
    """A staging folder swapped into ``out_dir`` when a conversion succeeds.

    Args:
        out_dir (str): The dataset folder, e.g. ``data/potsdam``.
        parts (Sequence[str]): Top-level folders the conversion owns.
        stamp (dict): JSON-serialisable description of the inputs and
            options of this conversion.

    Example:
        >>> output = StagedOutput('data/potsdam', ('img_dir', 'ann_dir'),
        ...                       stamp=dict(clip_size=512, stride=256))
        >>> if not output.is_current():
        ...     with output as staging:
        ...         ...  # write staging/img_dir/..., staging/ann_dir/...
    """

    def __init__(self, out_dir: str, parts: Sequence[str],
                 stamp: dict) -> None:
        self.out_dir = out_dir
        self.parts = tuple(parts)
        self.stamp = json.loads(json.dumps(stamp))  # normalise tuples
        self.staging = osp.join(out_dir, STAGING_NAME)

    def _read_stamp(self):
        try:
            with open(osp.join(self.out_dir, STAMP_NAME)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def is_current(self) -> bool:
        """Whether ``out_dir`` holds this very conversion, complete."""
        return (self._read_stamp() == self.stamp and all(
            osp.isdir(osp.join(self.out_dir, p)) for p in self.parts))

    def __enter__(self) -> str:
        if osp.exists(self.staging):  # left by an interrupted run
            shutil.rmtree(self.staging)
        os.makedirs(self.staging)
        return self.staging

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            return
        self.commit()

    def commit(self) -> None:
        """Replace the parts in ``out_dir`` with the staged ones."""
        stamp_path = osp.join(self.out_dir, STAMP_NAME)
        if osp.exists(stamp_path):
            os.remove(stamp_path)  # the output is in flux until re-stamped
        trash = osp.join(self.out_dir, TRASH_NAME)
        if osp.exists(trash):
            shutil.rmtree(trash)
        os.makedirs(trash)
        for part in self.parts:
            staged, final = (osp.join(self.staging,
                                      part), osp.join(self.out_dir, part))
            if osp.lexists(final):
                os.replace(final, osp.join(trash, part))
            if osp.exists(staged):
                os.replace(staged, final)
        shutil.rmtree(trash)
        shutil.rmtree(self.staging)
        with open(stamp_path, 'w') as f:
            json.dump(self.stamp, f, indent=2, sort_keys=True)
