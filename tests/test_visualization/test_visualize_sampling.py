"""tools/visualize_sampling.py end to end: a panel per image, from
deterministic views or from the config's training views."""
import numpy as np
import pytest

from .conftest import assert_not_blank, png, run_tool


@pytest.mark.parametrize('views', ['resize', 'config'])
def test_visualize_sampling_writes_a_panel_per_image(grass_run, tmp_path,
                                                     views):
    images = sorted((grass_run['root'] / 'images').glob('*.png'))[:3]
    out_dir = tmp_path / 'panels'
    stdout = run_tool(
        'visualize_sampling.py',
        grass_run['config'],
        grass_run['checkpoint'],
        '--images',
        *images,
        '--out-dir',
        out_dir,
        '--img-size',
        48,
        '--views',
        views,
        '--device',
        'cpu',
        cwd=tmp_path)
    assert sorted(p.name for p in out_dir.iterdir()) == [
        f'{p.stem}.png' for p in images
    ]
    assert stdout.count(' -> ') == 3
    panels = [png(out_dir / f'{p.stem}.png') for p in images]
    for panel in panels:
        assert panel.shape == (2 * 200 + 50, 5 * 200 + 80, 3)  # two views
        assert_not_blank(panel, min_colours=200)
    assert not (panels[0] == panels[1]).all()


def grey_fraction(image: np.ndarray) -> float:
    """The share of pixels with R == G == B."""
    return float(((image[..., 0] == image[..., 1]) &
                  (image[..., 1] == image[..., 2])).mean())


def test_config_views_get_the_preprocessors_training_augments(
        grass_run, tmp_path):
    """With ``--views config`` the views are augmented as in training,
    including the colour augmentations of the data preprocessor."""
    grey = tmp_path / 'grey.py'
    grey.write_text(f"_base_ = [{str(grass_run['config'])!r}]\n"
                    'data_preprocessor = dict(\n'
                    "    type='PhotometricAugDataPreprocessor',\n"
                    "    augments=[dict(type='RandomGrayscale', prob=1.0,\n"
                    '                   keep_channels=True)])\n')
    images = sorted((grass_run['root'] / 'images').glob('*.png'))[:2]
    fractions = []
    for config in (grass_run['config'], grey):
        out_dir = tmp_path / config.stem
        run_tool(
            'visualize_sampling.py',
            config,
            grass_run['checkpoint'],
            '--images',
            *images,
            '--out-dir',
            out_dir,
            '--views',
            'config',
            '--device',
            'cpu',
            cwd=tmp_path)
        fractions.append(grey_fraction(png(out_dir / f'{images[0].stem}.png')))
    # the views and their crops (two of the five columns) turn grey
    assert fractions[1] > fractions[0] + 0.1, fractions
