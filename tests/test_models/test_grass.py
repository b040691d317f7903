"""Tests of the GraSS wrapper: stages, guide pass, GS step, checkpoints."""
import copy

import pytest
import torch
from mmengine.optim import OptimWrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import grass_mm  # noqa: F401
from grass_mm.models import GraSS, crop_and_resize
from grass_mm.models.utils import random_boxes_like

BACKBONE = dict(type='ResNet', depth=18, norm_cfg=dict(type='BN'))
NECK_BN = dict(type='BN1d')
ALGORITHMS = {
    'simclr':
    dict(
        type='NTXentSimCLR',
        backbone=BACKBONE,
        neck=dict(
            type='NonLinearNeck',
            in_channels=512,
            hid_channels=64,
            out_channels=16,
            num_layers=2,
            with_avg_pool=True,
            norm_cfg=NECK_BN),
        head=dict(type='NTXentHead', temperature=0.5)),
    'mocov2':
    dict(
        type='MoCo',
        queue_len=32,
        feat_dim=16,
        momentum=0.01,
        backbone=BACKBONE,
        neck=dict(
            type='MoCoV2Neck',
            in_channels=512,
            hid_channels=64,
            out_channels=16,
            with_avg_pool=True),
        head=dict(
            type='ContrastiveHead',
            temperature=0.2,
            loss=dict(type='CrossEntropyLoss'))),
    'byol':
    dict(
        type='BYOL',
        base_momentum=0.01,
        backbone=BACKBONE,
        neck=dict(
            type='NonLinearNeck',
            in_channels=512,
            hid_channels=64,
            out_channels=16,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=True,
            norm_cfg=NECK_BN),
        head=dict(
            type='LatentPredictHead',
            loss=dict(type='CosineSimilarityLoss'),
            predictor=dict(
                type='NonLinearNeck',
                in_channels=16,
                hid_channels=64,
                out_channels=16,
                num_layers=2,
                with_bias=True,
                with_last_bn=False,
                with_avg_pool=False,
                norm_cfg=NECK_BN))),
}


def build_grass(name: str = 'simclr', seed: int = 0) -> GraSS:
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(type='GraSS', algorithm=ALGORITHMS[name], ratio=0.5))
    model.init_weights()
    return model


def make_batch(num: int = 4, size: int = 64, seed: int = 1) -> dict:
    generator = torch.Generator().manual_seed(seed)
    views = [
        torch.randint(
            0,
            256, (num, 3, size, size),
            generator=generator,
            dtype=torch.uint8) for _ in range(2)
    ]
    return dict(inputs=views, data_samples=[DataSample() for _ in range(num)])


def sgd(model) -> OptimWrapper:
    return OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))


def test_default_is_the_paper_simclr():
    model = GraSS()
    assert type(model.algorithm).__name__ == 'NTXentSimCLR'
    assert model.backbone.depth == 50
    assert model.algorithm.neck.fc0.in_features == 2048
    assert model.algorithm.neck.fc0.out_features == 2048
    assert model.algorithm.neck.fc1.out_features == 128
    assert model.algorithm.head.temperature == 0.5


def test_tensor_mode_and_extract_feat_are_the_backbone():
    model = build_grass().eval()
    x = torch.rand(2, 3, 64, 64)
    feats = model(x, mode='tensor')
    expected = model.algorithm.backbone(x)
    assert len(feats) == 1 and feats[0].shape == (2, 512, 2, 2)
    torch.testing.assert_close(feats[0], expected[0])
    torch.testing.assert_close(model.extract_feat(x)[0], expected[0])
    with pytest.raises(RuntimeError, match='Invalid mode'):
        model(x, mode='predict')


def test_id_warmup_step_is_the_wrapped_algorithms_step():
    model = build_grass()
    reference = copy.deepcopy(model.algorithm)
    batch = make_batch()
    model.train_step(batch, sgd(model))
    reference.train_step(batch, sgd(reference))
    for (name, p), q in zip(model.algorithm.named_parameters(),
                            reference.parameters()):
        torch.testing.assert_close(p, q, msg=name)


def test_guide_pass_leaves_grads_untouched_and_no_graph_in_backbone():
    model = build_grass()
    params = list(model.parameters())
    for i, p in enumerate(params):
        p.grad = None if i % 2 else torch.full_like(p, 7.0)
    seen = []
    model.backbone.register_forward_hook(lambda m, i, o: seen.append(
        (torch.is_grad_enabled(), o[-1].requires_grad, o[-1].grad_fn)))
    data = model.data_preprocessor(make_batch(), True)
    result = model.sample(data['inputs'])
    assert seen == [(False, False, None)]
    for i, p in enumerate(params):
        if i % 2:
            assert p.grad is None
        else:
            assert torch.equal(p.grad, torch.full_like(p, 7.0))
    assert result.lam.shape == (8, 64, 64)
    assert result.crops.shape == (8, 3, 64, 64)
    assert result.boxes.dtype == torch.int64
    assert not result.crops.requires_grad and not result.lam.requires_grad


@pytest.mark.parametrize('name', ['simclr', 'mocov2', 'byol'])
def test_gs_step_equals_a_training_step_on_the_crops(name):
    model = build_grass(name)
    model.gs_training = True
    reference = copy.deepcopy(model.algorithm)
    batch = make_batch()
    data = model.data_preprocessor(copy.deepcopy(batch), True)
    crops = model.sample(data['inputs']).crops.chunk(2)

    torch.manual_seed(3)  # MoCo shuffles keys with the global generator
    model.train_step(batch, sgd(model))
    torch.manual_seed(3)
    optim_wrapper = sgd(reference)
    losses = reference.loss(list(crops), data['data_samples'])
    loss, _ = reference.parse_losses(losses)
    optim_wrapper.update_params(loss)

    assert 0 < float(model.sampling_stats['box_area']) <= 1
    for (key, p), q in zip(model.algorithm.named_parameters(),
                           reference.parameters()):
        torch.testing.assert_close(p, q, msg=key, rtol=1e-4, atol=1e-6)
    if name == 'mocov2':
        torch.testing.assert_close(model.algorithm.queue, reference.queue)
        assert torch.equal(model.algorithm.queue_ptr, reference.queue_ptr)


@pytest.mark.parametrize('name', ['mocov2', 'byol'])
def test_guide_pass_changes_no_momentum_state(name):
    model = build_grass(name)
    before = copy.deepcopy(model.algorithm.state_dict())
    data = model.data_preprocessor(make_batch(), True)
    model.sample(data['inputs'])
    after = model.algorithm.state_dict()
    for key, value in before.items():
        if 'running_' in key or 'num_batches_tracked' in key:
            continue  # batch norm statistics follow the forward, as in SimCLR
        assert torch.equal(value, after[key]), key


def test_moco_each_views_map_comes_from_its_query_pass():
    model = build_grass('mocov2')
    data = model.data_preprocessor(make_batch(), True)
    v1, v2 = data['inputs']
    lam_12 = model.sample([v1, v2]).lam
    lam_21 = model.sample([v2, v1]).lam
    torch.testing.assert_close(lam_12[:4], lam_21[4:], rtol=1e-4, atol=1e-7)
    torch.testing.assert_close(lam_12[4:], lam_21[:4], rtol=1e-4, atol=1e-7)


def test_guide_pass_under_autocast_runs_only_the_backbone_in_bf16():
    model = build_grass()
    dtypes = []
    model.backbone.register_forward_hook(
        lambda m, i, o: dtypes.append(o[-1].dtype))
    data = model.data_preprocessor(make_batch(), True)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        features, grads = model.guide(data['inputs'])
    assert dtypes == [torch.bfloat16]
    assert features.dtype == grads.dtype == torch.float32
    assert grads.abs().sum() > 0


def test_gs_step_under_bf16_autocast():
    model = build_grass()
    model.gs_training = True
    with torch.autocast('cpu', dtype=torch.bfloat16):
        log_vars = model.train_step(make_batch(), sgd(model))
    assert torch.isfinite(log_vars['loss'])
    assert 0 < float(model.sampling_stats['box_area']) <= 1


def test_checkpoints_have_the_wrapped_algorithms_layout():
    model = build_grass()
    state = model.state_dict()
    assert not any(key.startswith('algorithm.') for key in state)
    assert set(state) == set(model.algorithm.state_dict())
    other = build_grass(seed=5)
    other.load_state_dict(state)
    for key, value in other.state_dict().items():
        assert torch.equal(value, state[key]), key
    # and a bare algorithm's checkpoint (e.g. an ID warm-up) loads too
    third = build_grass(seed=6)
    missing, unexpected = third.load_state_dict(model.algorithm.state_dict())
    assert missing == [] and unexpected == []
    assert torch.equal(third.backbone.conv1.weight,
                       model.backbone.conv1.weight)


def test_crops_are_the_boxes_of_the_views():
    model = build_grass()
    data = model.data_preprocessor(make_batch(), True)
    result = model.sample(data['inputs'])
    views = torch.cat(data['inputs'])
    assert torch.equal(result.crops, crop_and_resize(views, result.boxes))


def test_random_rule_has_its_own_stream_seeded_by_box_seed():
    model = MODELS.build(
        dict(
            type='GraSS',
            algorithm=ALGORITHMS['simclr'],
            box_rule='random',
            box_seed=5))
    data = model.data_preprocessor(make_batch(), True)
    gradient = model.sample(data['inputs'], box_rule='gradient').boxes
    torch.manual_seed(123)  # the global generator plays no part
    first = model.sample(data['inputs']).boxes
    second = model.sample(data['inputs']).boxes
    # one stream, made once, seeded with box_seed + rank (rank 0 here)
    assert model.box_generator(torch.device('cpu')) is \
        model.box_generator(torch.device('cpu'))
    reference = torch.Generator().manual_seed(5)
    assert torch.equal(first, random_boxes_like(gradient, 64, 64, reference))
    assert torch.equal(second, random_boxes_like(gradient, 64, 64, reference))


def test_unsupported_algorithm_and_bad_ratio_are_refused():
    simclr = dict(
        ALGORITHMS['simclr'],
        type='SimCLR',
        head=dict(
            type='ContrastiveHead',
            temperature=0.1,
            loss=dict(type='CrossEntropyLoss')))
    with pytest.raises(TypeError, match='cannot wrap SimCLR.*NTXentSimCLR'):
        GraSS(algorithm=simclr)
    with pytest.raises(ValueError, match='ratio'):
        GraSS(algorithm=ALGORITHMS['simclr'], ratio=1.5)
