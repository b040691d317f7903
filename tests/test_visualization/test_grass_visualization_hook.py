"""GraSSVisualizationHook in a real Runner: what it draws, and that it
leaves training untouched."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from grass_mm.checkpoint import register_checkpoint_safe_globals
from grass_mm.engine import GraSSVisualizationHook
from .conftest import assert_not_blank, png

register_checkpoint_safe_globals()


def test_panels_reach_the_local_backend_on_gs_iterations(grass_run):
    image_dir = grass_run['log_dir'] / 'vis_data' / 'vis_image'
    drawn = sorted(path.name for path in image_dir.glob('*.png'))
    # iteration 1 is ID warm-up; 2 and 3 are GS training, interval 1
    assert drawn == ['grass_sampling_2.png', 'grass_sampling_3.png']
    for name in drawn:
        image = png(image_dir / name)
        # max_views=3 rows of 2-inch panels at 100 dpi, five columns
        assert image.shape == (3 * 200 + 50, 5 * 200 + 80, 3)
        assert_not_blank(image, min_colours=200)
    assert not (png(image_dir / drawn[0]) == png(image_dir / drawn[1])).all()


def _train(config, work_dir, custom_hooks):
    cfg = Config.fromfile(str(config))
    cfg.work_dir = str(work_dir)
    cfg.custom_hooks = custom_hooks
    runner = Runner.from_cfg(cfg)
    runner.train()
    losses = list(runner.message_hub.get_scalar('train/loss').data[0])
    state = torch.load(work_dir / 'iter_3.pth', weights_only=True)
    return runner, losses, state['state_dict']


def test_training_is_unchanged_by_the_hook(grass_run, tmp_path):
    sampler = dict(type='GradientGuidedSamplerHook', warmup_iters=1)
    _, plain_losses, plain_state = _train(grass_run['config'],
                                          tmp_path / 'plain', [sampler])
    runner, losses, state = _train(
        grass_run['config'], tmp_path / 'drawn',
        [sampler, dict(type='GraSSVisualizationHook', interval=2)])
    drawn = sorted(
        p.name
        for p in (tmp_path / 'drawn').glob('*/vis_data/vis_image/*.png'))
    assert drawn == ['grass_sampling_2.png']  # GS iterations 2, 3; every 2nd
    assert losses == plain_losses
    assert state.keys() == plain_state.keys()
    for key, value in state.items():
        # parameters and buffers (BN running statistics) alike
        assert torch.equal(value, plain_state[key]), key


def test_hook_refuses_a_model_without_sampler(grass_run, tmp_path):
    cfg = Config.fromfile(str(grass_run['config']))
    cfg.work_dir = str(tmp_path)
    cfg.model = copy.deepcopy(cfg.model.algorithm)
    cfg.custom_hooks = [dict(type='GraSSVisualizationHook', interval=1)]
    runner = Runner.from_cfg(cfg)
    with pytest.raises(TypeError, match='needs a GraSS model'):
        runner.train()


@pytest.mark.parametrize(
    'kwargs',
    [dict(interval=0), dict(max_views=0),
     dict(interval=1.5)])
def test_hook_arguments_are_checked(kwargs):
    with pytest.raises(ValueError, match='GraSSVisualizationHook'):
        GraSSVisualizationHook(**kwargs)
