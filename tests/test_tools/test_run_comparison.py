"""tools/run_comparison.py: SimCLR vs GraSS end to end on tiny Dubai data."""
import json
import sys

import numpy as np
import pytest
from PIL import Image

from grass_mm.analysis import parse_methods, parse_miou, parse_seeds
from grass_mm.datasets import DubaiAerialDataset
from grass_mm.datasets.converters import convert_dubai_aerial


def test_parse_miou_takes_the_last_line():
    output = 'aAcc: 80.0\nmIoU: 12.5\n... log ...\naAcc: 81.0\nmIoU: 54.25\n'
    assert parse_miou(output) == 54.25
    with pytest.raises(ValueError, match='mIoU'):
        parse_miou('mIoU 5')


def test_methods_and_seeds():
    assert list(parse_methods(['b=x.py', 'a=y.py'])) == ['b', 'a']
    with pytest.raises(ValueError, match='NAME=CONFIG'):
        parse_methods(['grass'])
    assert parse_seeds('3') == [0, 1, 2]
    assert parse_seeds('4,1') == [4, 1]
    assert parse_seeds('7,') == [7]
    for bad, message in (('0', 'at least one'), ('1,1', 'twice'), ('a',
                                                                   'count K')):
        with pytest.raises(ValueError, match=message):
            parse_seeds(bad)


def write_tiny_dubai(root):
    """The demo data's layout with 8 x 9 small images of two classes."""
    rng = np.random.default_rng(0)
    palette = np.asarray(DubaiAerialDataset.METAINFO['palette'], np.uint8)
    for tile in range(1, 9):
        for sub in ('images', 'masks'):
            (root / f'Tile {tile}' / sub).mkdir(parents=True)
        for part in range(1, 10):
            ids = np.zeros((48, 48), dtype=np.int64)
            ids[:, rng.integers(8, 40):] = 4  # land, then water
            image = palette[ids] // 2 + rng.integers(
                0, 60, (48, 48, 3), dtype=np.uint8)
            name = f'image_part_00{part}'
            Image.fromarray(image).save(root / f'Tile {tile}' / 'images' /
                                        f'{name}.jpg')
            Image.fromarray(palette[ids]).save(root / f'Tile {tile}' /
                                               'masks' / f'{name}.png')


def test_comparison_of_simclr_and_grass_on_tiny_data(tools, tmp_path):
    write_tiny_dubai(tmp_path / 'src')
    convert_dubai_aerial(
        str(tmp_path / 'src'), str(tmp_path / 'data'), clip_size=48, stride=48)
    work_dir = tmp_path / 'comparison'
    demo = tools.repo_root / 'configs' / 'demo'
    loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    no_workers = [
        f'{loader}.{key}' for loader in loaders
        for key in ('num_workers=0', 'persistent_workers=False')
    ]
    methods = [
        f'simclr={demo / "simclr_r18_1xb16-4e_dubai-aerial-demo.py"}',
        f'grass={demo / "grass_r18_1xb16-4e_dubai-aerial-demo.py"}',
    ]

    def compare(*extra_methods):
        return tools.run([
            sys.executable, tools.repo_root / 'tools' / 'run_comparison.py',
            '--methods', *methods, *extra_methods, '--finetune',
            demo / 'upernet_r18-grass_1xb8-300it_dubai-aerial-demo.py',
            '--data-root', tmp_path / 'data', '--gpus', '1', '--seeds', '3,',
            '--label-fraction', '50', '--work-dir', work_dir,
            '--pretrain-options', 'train_cfg.max_epochs=2',
            'train_dataloader.batch_size=8', 'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'train_dataloader.dataset.patch_size=None',
            'train_dataloader.dataset.stride=None', '--finetune-options',
            'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
            'default_hooks.checkpoint.interval=4', 'param_scheduler.0.end=4',
            'train_dataloader.batch_size=2', *no_workers
        ],
                         cwd=tmp_path,
                         timeout=600)

    # a third method that fails: the two finished runs are kept
    result = compare(f'broken={tmp_path / "missing.py"}')
    assert result.returncode != 0
    assert 'broken, seed 3' in result.stdout + result.stderr
    assert 'run the same command again to resume' in (result.stdout +
                                                      result.stderr)
    report = json.loads((work_dir / 'results.json').read_text())
    assert report['finished'] == 2 and report['planned'] == 3
    assert [run['method'] for run in report['runs']] == ['simclr', 'grass']
    assert all(0 <= run['miou'] <= 100 for run in report['runs'])
    assert all(run['seed'] == 3 for run in report['runs'])
    assert report['runs'][1]['pretrained'].endswith('epoch_2.pth')
    grass_dir = work_dir / 'grass' / 'seed_3'
    assert 'GraSS: GS training from epoch 2' in tools.read_log(grass_dir /
                                                               'pretrain')
    assert 'gs_box_area' not in tools.read_log(work_dir / 'simclr' / 'seed_3' /
                                               'pretrain')
    assert "seed=3" in tools.read_log(grass_dir / 'finetune_50pct')

    # the same command again finishes without training anything twice
    result = compare()
    tools.assert_ok(result)
    assert 'train.py' not in result.stdout and 'test.py' not in result.stdout
    report = json.loads((work_dir / 'results.json').read_text())
    assert report['finished'] == report['planned'] == 2
    simclr, grass = report['summary']
    assert simclr['difference'] is None and simclr['miou']['n'] == 1
    assert grass['difference']['mean'] == pytest.approx(
        report['runs'][1]['miou'] - report['runs'][0]['miou'])
    assert grass['difference']['ci_low'] is None  # one seed: no interval
    table = (work_dir / 'results.md').read_text().splitlines()
    assert table[0].startswith('| method |') and len(table) == 6
    assert table[3].startswith('| grass |') and '| 50% | 1 |' in table[3]
    # one seed: no test, no adjusted interval, and the note says so
    assert grass['t_test_p'] is None and grass['family_size'] == 0
    assert table[3].endswith('| n/a | n/a | 1 |')
    assert table[5].startswith('No comparison with simclr has two paired')
    assert (work_dir / 'per_seed_miou.png').stat().st_size > 0
