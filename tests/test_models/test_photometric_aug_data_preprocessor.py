"""PhotometricAugDataPreprocessor: augments in training only, per image,
before the channel conversion and the normalisation, from a seeded stream,
and once per GraSS step."""
import copy
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmpretrain.models.utils import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import grass_mm  # noqa: F401  (registers the preprocessor)
from grass_mm.analysis import config_photometric_augments
from grass_mm.models import GraSS, PhotometricAugDataPreprocessor
from grass_mm.models.algorithms.grass import PAPER_ALGORITHM
from grass_mm.models.data_preprocessors import stream_seed

ROOT = Path(__file__).resolve().parents[2]
NORM = dict(
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
AUGMENTS = config_photometric_augments(
    Config.fromfile(str(ROOT / 'configs/_base_/datasets/potsdam_pretrain.py')))


def build(seed=0, augments=AUGMENTS, **kwargs):
    return MODELS.build(
        dict(
            type='PhotometricAugDataPreprocessor',
            augments=augments,
            seed=seed,
            **NORM,
            **kwargs))


def make_batch(num=8, size=24, same_image=False, seed=1):
    generator = torch.Generator().manual_seed(seed)
    shape = (1 if same_image else num, 3, size, size)
    views = [
        torch.randint(0, 256, shape, generator=generator,
                      dtype=torch.uint8).expand(num, -1, -1, -1).contiguous()
        for _ in range(2)
    ]
    return dict(inputs=views, data_samples=[DataSample() for _ in range(num)])


def test_evaluation_batches_are_not_augmented():
    batch = make_batch()
    plain = SelfSupDataPreprocessor(**NORM)(copy.deepcopy(batch), False)
    ours = build()(copy.deepcopy(batch), False)
    for got, expected in zip(ours['inputs'], plain['inputs']):
        assert torch.equal(got, expected)
    single = dict(batch, inputs=batch['inputs'][0])
    assert torch.equal(
        build()(single, False)['inputs'],
        SelfSupDataPreprocessor(**NORM)(single, False)['inputs'])


def test_training_without_augments_is_the_plain_preprocessor():
    batch = make_batch()
    plain = SelfSupDataPreprocessor(**NORM)(copy.deepcopy(batch), True)
    ours = build(augments=[])(copy.deepcopy(batch), True)
    assert all(
        torch.equal(a, b) for a, b in zip(ours['inputs'], plain['inputs']))


def test_each_image_and_view_is_augmented_differently():
    """One image repeated 8 times in both views: 16 different results."""
    preprocessor = build()
    out = preprocessor(make_batch(same_image=True), True)['inputs']
    views = torch.cat(out).flatten(1)
    assert len(torch.unique(views, dim=0)) == 16
    params = preprocessor.sample(8)
    assert len(set(params[0]['transforms'][0]['brightness'].tolist())) == 8


def test_a_seed_repeats_the_stream_and_another_does_not():
    batch = make_batch()
    first, again, other = build(seed=3), build(seed=3), build(seed=4)
    for _ in range(2):  # successive steps too
        a = first(copy.deepcopy(batch), True)['inputs']
        b = again(copy.deepcopy(batch), True)['inputs']
        c = other(copy.deepcopy(batch), True)['inputs']
        assert all(torch.equal(x, y) for x, y in zip(a, b))
        assert not torch.equal(a[0], c[0])


def test_without_a_seed_the_run_seed_is_used():
    batch = make_batch()
    torch.manual_seed(7)
    implicit = build(seed=None)(copy.deepcopy(batch), True)['inputs']
    explicit = build(seed=7)(copy.deepcopy(batch), True)['inputs']
    assert torch.equal(implicit[1], explicit[1])


def test_ranks_and_seeds_get_different_streams():
    seeds = {stream_seed(base, rank) for base in range(4) for rank in range(8)}
    assert len(seeds) == 32
    assert all(0 <= seed < 2**63 for seed in seeds)
    assert stream_seed(0, 1) == stream_seed(0, 1)


def test_augmentation_comes_before_channel_conversion_and_normalisation():
    """Grey from the first loaded channel (B): after to_rgb every channel
    holds B, normalised with each channel's own mean and std."""
    preprocessor = build(augments=[
        dict(
            type='RandomGrayscale',
            prob=1.0,
            keep_channels=True,
            channel_weights=(1, 0, 0))
    ])
    batch = make_batch()
    out = preprocessor(copy.deepcopy(batch), True)['inputs'][0]
    blue = batch['inputs'][0][:, :1].float()
    mean = torch.tensor(NORM['mean']).reshape(1, 3, 1, 1)
    std = torch.tensor(NORM['std']).reshape(1, 3, 1, 1)
    assert torch.allclose(out, (blue - mean) / std)


def test_each_view_is_augmented_once():
    """Solarising at 0 inverts every pixel: once gives 255 - x, twice x."""
    preprocessor = build(augments=[dict(type='Solarize', thr=0, prob=1.0)])
    batch = make_batch()
    out = preprocessor(copy.deepcopy(batch), True)['inputs']
    plain = SelfSupDataPreprocessor(**NORM)
    inverted = dict(batch, inputs=[255 - view for view in batch['inputs']])
    expected = plain(inverted, True)['inputs']
    assert all(torch.allclose(a, b) for a, b in zip(out, expected))


@pytest.mark.parametrize('chunk_size', [1, 3, 8, 100])
def test_chunks_do_not_change_the_result(chunk_size):
    batch = make_batch(num=8)
    whole = build(seed=2)(copy.deepcopy(batch), True)['inputs']
    chunked = build(
        seed=2, chunk_size=chunk_size)(copy.deepcopy(batch), True)['inputs']
    assert all(torch.equal(a, b) for a, b in zip(whole, chunked))
    empty = build(
        seed=2, chunk_size=chunk_size).augment(batch['inputs'][0][:0])
    assert empty.shape == (0, 3, 24, 24)


def test_channel_order_is_checked():
    with pytest.raises(ValueError, match='`channel_order`'):
        build(channel_order='hsv')
    with pytest.raises(ValueError, match='`chunk_size`'):
        build(chunk_size=0)
    with pytest.raises(ValueError, match=r'augments\[0\].*`prob`'):
        build(augments=[dict(type='RandomGrayscale', prob=2.0)])


def small_grass(seed: int) -> GraSS:
    """A ResNet-18 GraSS with the preprocessor, seeded with ``seed``."""
    algorithm = copy.deepcopy(PAPER_ALGORITHM)  # made small for a CPU
    algorithm['backbone'].update(depth=18, norm_cfg=dict(type='BN'))
    algorithm['neck'].update(
        in_channels=512, hid_channels=32, norm_cfg=dict(type='BN1d'))
    torch.manual_seed(0)
    return GraSS(
        algorithm=algorithm,
        data_preprocessor=dict(
            type='PhotometricAugDataPreprocessor',
            augments=AUGMENTS,
            seed=seed,
            **NORM))


def test_grass_augments_once_per_gs_step():
    """The GS step's guide pass and crops use the views augmented by
    train_step: the stream advances by exactly one draw per view."""
    model = small_grass(seed=5)
    assert isinstance(model.data_preprocessor, PhotometricAugDataPreprocessor)
    assert model.data_preprocessor is model.algorithm.data_preprocessor
    model.gs_training = True
    batch = make_batch(num=4, size=64)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    model.train_step(copy.deepcopy(batch), optim)
    reference = build(seed=5)
    for _ in batch['inputs']:
        reference.sample(len(batch['data_samples']))
    assert torch.equal(model.data_preprocessor.generator.get_state(),
                       reference.generator.get_state())


def test_visualization_hook_leaves_the_stream_as_it_was():
    """GraSSVisualizationHook preprocesses the coming batch itself; the
    step after it draws what it would have drawn without the hook, whether
    the stream was made before (second step) or inside the hook (first)."""
    from grass_mm.engine import GraSSVisualizationHook
    model = small_grass(seed=5)
    model.gs_training = True
    drawn = []
    runner = SimpleNamespace(
        model=model,
        iter=0,
        visualizer=SimpleNamespace(
            add_image=lambda name, image, step: drawn.append(name)))
    hook = GraSSVisualizationHook(interval=1, max_views=2)
    batch = make_batch(num=4, size=64)
    reference = build(seed=5)
    for _ in range(2):
        hook.before_train_iter(runner, 0, copy.deepcopy(batch))
        got = model.data_preprocessor(copy.deepcopy(batch), True)['inputs']
        expected = reference(copy.deepcopy(batch), True)['inputs']
        assert all(torch.equal(a, b) for a, b in zip(got, expected))
    assert drawn == ['grass_sampling'] * 2
