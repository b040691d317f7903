# Copyright (c) grass_mm contributors. All rights reserved.
"""LoveDA: each domain on its own, from Train.zip/Val.zip to the pipeline."""
import os
import zipfile
from io import BytesIO

import numpy as np
import pytest
from mmseg.registry import DATASETS
from PIL import Image

from grass_mm.datasets import (LoveDARuralDataset, LoveDAUrbanDataset,
                               RSIPatchDataset)
from grass_mm.datasets.converters import ConversionError, convert_loveda
from .factories import (LOVEDA_IDS, expected_gt, make_loveda, rewrite_zip,
                        run_tool, seg_dataloader)


@pytest.fixture(scope='module')
def loveda_archives(tmp_path_factory):
    root = tmp_path_factory.mktemp('loveda_archives')
    return root, make_loveda(root)


def names(numbers):
    return {f'{n}.png' for n in numbers}


def test_urban_tool_end_to_end(loveda_archives, tmp_path):
    archives, masks = loveda_archives
    out = tmp_path / 'data' / 'loveda-urban'
    proc = run_tool('loveda', archives, '--domain', 'urban', '-o', out)
    assert proc.returncode == 0, proc.stderr
    assert '2/2' in proc.stdout  # progress, one chunk per split
    assert ('holds 4 Urban train images; the official release has 1156'
            in proc.stdout)
    for split in ('train', 'val'):
        urban = names(LOVEDA_IDS[split]['Urban'])
        assert set(os.listdir(out / 'img_dir' / split)) == urban
        assert set(os.listdir(out / 'ann_dir' / split)) == urban
    # pretraining images are the training images, linked, not copied
    assert set(os.listdir(out / 'pretrain')) == names(
        LOVEDA_IDS['train']['Urban'])
    assert os.path.samefile(out / 'pretrain' / '1366.png',
                            out / 'img_dir' / 'train' / '1366.png')
    np.testing.assert_array_equal(
        np.asarray(Image.open(out / 'ann_dir' / 'train' / '1366.png')),
        masks[('train', 'Urban', '1366.png')])

    loader = seg_dataloader('loveda-urban_finetune.py', out, 'val')
    assert isinstance(loader.dataset, LoveDAUrbanDataset)
    assert loader.dataset.metainfo['domain'] == 'Urban'
    sample = next(iter(loader))['data_samples'][0]
    name = os.path.basename(sample.img_path)
    np.testing.assert_array_equal(sample.gt_sem_seg.data.numpy()[0],
                                  expected_gt(masks[('val', 'Urban', name)]))
    train = seg_dataloader(
        'loveda-urban_finetune.py',
        out,
        'train',
        ann_file='splits/train_50pct.txt')
    assert len(train.dataset) == 2  # ceil(4 * 50 %)
    patches = RSIPatchDataset(
        data_root=str(out), data_prefix='pretrain/', patch_size=16)
    assert len(patches) == 4 * 4


def test_rural_is_kept_apart_from_urban(loveda_archives, tmp_path):
    archives, _ = loveda_archives
    out = tmp_path / 'loveda-rural'
    summary = convert_loveda(str(archives), str(out), 'rural', percents=(20, ))
    assert summary == dict(images=dict(train=5, val=2))
    assert set(os.listdir(out / 'img_dir' / 'train')) == names(
        LOVEDA_IDS['train']['Rural'])
    assert os.listdir(out / 'splits') == ['train_20pct.txt']
    loader = seg_dataloader(
        'loveda-rural_finetune.py',
        out,
        'train',
        ann_file='splits/train_20pct.txt')
    assert isinstance(loader.dataset, LoveDARuralDataset)
    assert len(loader.dataset) == 1


def test_domain_datasets_are_registered_and_refuse_an_empty_folder(tmp_path):
    assert DATASETS.get('LoveDAUrbanDataset') is LoveDAUrbanDataset
    assert DATASETS.get('LoveDARuralDataset') is LoveDARuralDataset
    (tmp_path / 'img_dir' / 'train').mkdir(parents=True)
    with pytest.raises(
            FileNotFoundError,
            match='LoveDARuralDataset: no .png images found '
            'through .*img_dir/train; run tools/dataset_converters/'
            'loveda.py --domain rural first'):
        LoveDARuralDataset(
            data_root=str(tmp_path),
            data_prefix=dict(
                img_path='img_dir/train', seg_map_path='ann_dir/train'))


# ---- what the converter refuses ---------------------------------------------


@pytest.fixture
def broken_copy(loveda_archives, tmp_path):
    archives, _ = loveda_archives
    for name in ('Train.zip', 'Val.zip'):
        (tmp_path / name).write_bytes((archives / name).read_bytes())
    return archives, tmp_path


def png_bytes(array):
    buffer = BytesIO()
    Image.fromarray(array).save(buffer, format='PNG')
    return buffer.getvalue()


def test_refuses_missing_archive(tmp_path):
    (tmp_path / 'Train.zip').write_bytes(b'')
    with pytest.raises(
            ConversionError, match=r'missing archive\(s\) Val.zip in '):
        convert_loveda(str(tmp_path), str(tmp_path / 'out'), 'urban')


def test_refuses_an_image_without_its_mask(broken_copy):
    archives, folder = broken_copy
    rewrite_zip(
        archives / 'Train.zip',
        folder / 'Train.zip',
        drop=('Train/Urban/masks_png/1368.png', ))
    with pytest.raises(
            ConversionError,
            match=r'Train.zip: 1 file\(s\) of Train/Urban/ without '
            'their image or mask: 1368.png'):
        convert_loveda(str(folder), str(folder / 'out'), 'urban')
    # the other domain is untouched by the problem
    convert_loveda(str(folder), str(folder / 'rural'), 'rural')


def test_refuses_unexpected_members(broken_copy):
    archives, folder = broken_copy
    rewrite_zip(
        archives / 'Val.zip',
        folder / 'Val.zip',
        add={'Val/Urban/images_png/3514.jpg': b'x'})
    with pytest.raises(
            ConversionError,
            match=r'unexpected member\(s\) '
            'Val/Urban/images_png/3514.jpg; expected only'):
        convert_loveda(str(folder), str(folder / 'out'), 'urban')


@pytest.mark.parametrize('mask,message', [
    (np.full((32, 32), 9, np.uint8), 'holds label 9; expected 0 '
     r'\(no-data\) to 7'),
    (np.zeros((32, 30), np.uint8), 'is 32 x 30 pixels; expected the size of '
     'Train.zip:Train/Urban/images_png/1367.png, 32 x 32'),
    (np.zeros((32, 32, 3), np.uint8), r'has 3 band\(s\) of uint8; expected '
     'a 1-band uint8 mask'),
])
def test_refuses_bad_masks(broken_copy, mask, message):
    archives, folder = broken_copy
    member = 'Train/Urban/masks_png/1367.png'
    rewrite_zip(
        archives / 'Train.zip',
        folder / 'Train.zip',
        drop=(member, ),
        add={member: png_bytes(mask)})
    with pytest.raises(
            ConversionError, match=f'Train.zip:{member}: {message}'):
        convert_loveda(str(folder), str(folder / 'out'), 'urban')
    assert not (folder / 'out' / 'img_dir').exists()


def test_refuses_a_truncated_image(broken_copy):
    archives, folder = broken_copy
    member = 'Train/Urban/images_png/1369.png'
    with zipfile.ZipFile(archives / 'Train.zip') as zf:
        data = zf.read(member)
    rewrite_zip(
        archives / 'Train.zip',
        folder / 'Train.zip',
        drop=(member, ),
        add={member: data[:len(data) // 2]})
    with pytest.raises(
            ConversionError,
            match=f'Train.zip:{member}: cannot decode the image '
            r'.* corrupt or truncated'):
        convert_loveda(str(folder), str(folder / 'out'), 'urban')
