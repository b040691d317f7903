# Copyright (c) grass_mm contributors. All rights reserved.
"""What an ISPRS-style orthophoto dataset (Potsdam, Vaihingen) ships."""
from dataclasses import dataclass
from typing import Dict, Tuple


@dataclass(frozen=True)
class OrthoDatasetSpec:
    """What an orthophoto dataset ships and how it is split.

    Args:
        name (str): Dataset name, for messages and the stamp.
        image_archive (str): Zip file of the image tiles.
        image_pattern (str): Regular expression of an image tile's file
            name; its first group is the tile id.
        image_bands (int): Bands of every image tile.
        label_archives (dict[str, tuple[str, str]]): Zip file of the
            colour labels and the pattern of their member names (as
            ``image_pattern``), for the ``'eroded'`` labels (black at class
            boundaries) and the ``'full'`` ones.
        splits (dict[str, tuple[str, ...]]): Tile ids of ``train`` and
            ``val``.
        palette (tuple): RGB colour of each class, from the dataset's
            ``METAINFO``.
        image_folder (str): Folder of the image tiles inside their archive.
            Defaults to '' (anywhere).
        ignored_ids (tuple[str, ...]): Tile ids that may be in the archives
            but are not used. Defaults to ().
    """
    name: str
    image_archive: str
    image_pattern: str
    image_bands: int
    label_archives: Dict[str, Tuple[str, str]]
    splits: Dict[str, Tuple[str, ...]]
    palette: Tuple[Tuple[int, int, int], ...]
    image_folder: str = ''
    ignored_ids: Tuple[str, ...] = ()
