# Copyright (c) grass_mm contributors. All rights reserved.
import copy
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

import torch
from mmengine.dist import get_rank
from mmengine.model import BaseModel
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import Tensor

from ..utils import BOX_RULES, crop_and_resize, loss_activation_map, rule_boxes
from .guide_losses import get_guide_loss

# The paper's setting: SimCLR with a ResNet-50 and a 2048-2048-128 MLP.
PAPER_ALGORITHM = dict(
    type='NTXentSimCLR',
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=True),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        num_layers=2,
        with_avg_pool=True),
    head=dict(type='NTXentHead', temperature=0.5))

_PREFIX = 'algorithm.'


class SamplingResult(NamedTuple):
    """What one gradient guided sampling step produced, views view-major.

    Attributes:
        lam (Tensor): Loss activation maps, (V*N, H, W).
        boxes (Tensor): Boxes ``[y0, x0, y1, x1]``, end exclusive, (V*N, 4).
        kept_whole (Tensor): Views without foreground, kept whole, (V*N,).
        crops (Tensor): The boxes resized to the view size, (V*N, C, H, W).
        box_rule (str): The rule the boxes come from (see
            :mod:`~grass_mm.models.utils.box_rules`).
    """
    lam: Tensor
    boxes: Tensor
    kept_whole: Tensor
    crops: Tensor
    box_rule: str = 'gradient'


@MODELS.register_module()
class GraSS(BaseModel):
    """GraSS: contrastive learning with gradient guided sampling.

    `GraSS: Contrastive Learning with Gradient Guided Sampling Strategy for
    Remote Sensing Image Semantic Segmentation
    <https://arxiv.org/abs/2306.15868>`_ (Zhang et al., IEEE TGRS 2023).

    Wraps a self-supervised algorithm of mmpretrain. During the ID warm-up
    (``gs_training`` False) a step is exactly a step of the wrapped
    algorithm. During GS training each step

    1. runs a guide pass: the backbone without an autograd graph, then the
       algorithm's loss, and the gradient of that loss with respect to the
       last feature map only (no parameter gradient is computed);
    2. turns the gradient into a loss activation map per view, keeps the
       bounding box of the 8-connected region around its peak, crops each
       view to its box and resizes it back to the view size;
    3. trains the wrapped algorithm on the crops.

    :class:`GradientGuidedSamplerHook` switches ``gs_training`` on after the
    warm-up. Checkpoints have the wrapped algorithm's layout (``backbone.``,
    ``neck.``, ...), so a SimCLR checkpoint resumes into GraSS and a GraSS
    backbone loads with ``prefix='backbone.'``.

    Args:
        algorithm (dict, optional): Config of the wrapped algorithm; one with
            a registered guide loss (``NTXentSimCLR``, ``MoCo``, ``BYOL``).
            Defaults to None, the paper's SimCLR with a ResNet-50.
        ratio (float): Foreground threshold between the map's minimum (0)
            and maximum (1). Defaults to 0.5.
        box_rule (str): Where each view's box comes from. ``'gradient'``,
            the paper's rule: the box of the map's strongest region.
            Two controls for ablations: ``'random'``, a box of the same
            size as the ``'gradient'`` box of that view and step, placed
            uniformly at random (by the stream of :meth:`box_generator`, one
            per rank); ``'opposite'``, the box chosen from the negated map.
            Defaults to ``'gradient'``.
        data_preprocessor (dict, optional): Used as the algorithm's data
            preprocessor when the algorithm config has none. Defaults to
            None.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
        box_seed (int, optional): Base seed of the ``'random'`` rule's
            stream; rank ``r`` seeds its stream with ``box_seed + r``.
            Defaults to None: torch's initial seed when the stream is
            first drawn from, i.e. the run's ``randomness.seed`` under
            mmengine.

    Example:
        >>> model = dict(
        ...     type='GraSS',
        ...     ratio=0.5,
        ...     algorithm=dict(
        ...         type='MoCo', queue_len=65536, feat_dim=128,
        ...         momentum=0.001,
        ...         backbone=dict(type='ResNet', depth=50),
        ...         neck=dict(type='MoCoV2Neck', in_channels=2048,
        ...                   hid_channels=2048, out_channels=128),
        ...         head=dict(type='ContrastiveHead', temperature=0.2,
        ...                   loss=dict(type='CrossEntropyLoss'))))
    """

    def __init__(self,
                 algorithm: Optional[dict] = None,
                 ratio: float = 0.5,
                 box_rule: str = 'gradient',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 box_seed: Optional[int] = None) -> None:
        if not 0.0 <= ratio < 1.0:
            raise ValueError(f'GraSS: `ratio` must lie in [0, 1), got {ratio}')
        if box_rule not in BOX_RULES:
            raise ValueError(f'GraSS: `box_rule` must be one of {BOX_RULES}, '
                             f'got {box_rule!r}')
        algorithm = copy.deepcopy(algorithm or PAPER_ALGORITHM)
        if data_preprocessor is not None:
            algorithm.setdefault('data_preprocessor', data_preprocessor)
        # built in mmpretrain's scope whatever the caller's default scope
        algorithm.setdefault('_scope_', 'mmpretrain')
        algorithm = MODELS.build(algorithm)
        get_guide_loss(algorithm)  # fail at build time if unsupported
        super().__init__(
            data_preprocessor=algorithm.data_preprocessor, init_cfg=init_cfg)
        self.algorithm = algorithm
        self.ratio = ratio
        self.box_rule = box_rule
        self.box_seed = box_seed
        self._box_generator: Optional[torch.Generator] = None
        self.gs_training = False
        self.sampling_stats: Dict[str, Tensor] = {}
        self.register_state_dict_post_hook(_strip_algorithm_prefix)
        self.register_load_state_dict_pre_hook(_add_algorithm_prefix)

    @property
    def backbone(self) -> torch.nn.Module:
        """The wrapped algorithm's backbone: what downstream tasks reuse."""
        return self.algorithm.backbone

    def forward(self,
                inputs: Union[Tensor, List[Tensor]],
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        """Dispatch as mmpretrain's self-supervisors do.

        ``mode='tensor'`` returns the backbone features, ``mode='loss'`` a
        dict of losses.
        """
        if mode == 'tensor':
            return self.extract_feat(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}".')

    def extract_feat(self, inputs: Tensor) -> Tuple[Tensor, ...]:
        """Backbone features, as the wrapped algorithm extracts them."""
        return self.algorithm.extract_feat(inputs)

    def loss(
            self,
            inputs: List[Tensor],
            data_samples: Optional[List[DataSample]] = None
    ) -> Dict[str, Tensor]:
        """One training step's losses: ID warm-up or GS training.

        Args:
            inputs (list[Tensor]): The views, each of shape (N, C, H, W).
            data_samples (list[DataSample], optional): Passed through to the
                wrapped algorithm.

        Returns:
            dict[str, Tensor]: The wrapped algorithm's losses.
        """
        if not self.gs_training:
            return self.algorithm.loss(inputs, data_samples)
        result = self.sample(inputs)
        height, width = inputs[0].shape[-2:]
        area = (result.boxes[:, 2] - result.boxes[:, 0]) * (
            result.boxes[:, 3] - result.boxes[:, 1])
        self.sampling_stats = dict(
            box_area=area.float().mean() / (height * width),
            kept_whole=result.kept_whole.float().mean())
        crops = list(result.crops.chunk(len(inputs)))
        return self.algorithm.loss(crops, data_samples)

    def guide(self, inputs: List[Tensor]) -> Tuple[Tensor, Tensor]:
        """The guide pass: last feature maps and the loss gradient on them.

        The backbone runs without an autograd graph; the gradient flows
        through the neck and the loss only, so every parameter's ``.grad``
        is left untouched. Under autocast only the backbone runs in reduced
        precision: the rest of the guide pass runs in float32, so that small
        gradients do not underflow in float16 (no loss scaling is needed,
        and the maps do not depend on the loss's scale).

        Each view's gradient is the one a training step of the wrapped
        algorithm would take on these views (MoCo: in the step where that
        view is the query), with batch norm seeing the same batches. A
        momentum network (MoCo's key encoder, BYOL's target network) is used
        as it stands; one never updated yet (GS training from the first
        iteration) is used as its first update will set it, a copy of the
        online network, as the algorithm's own ``loss()`` does. Nothing of
        the algorithm's state changes but batch norm statistics.

        Args:
            inputs (list[Tensor]): The views, each of shape (N, C, H, W).

        Returns:
            tuple[Tensor, Tensor]: Features and their gradients, both of
            shape (V*N, C', h, w), views view-major, in float32.
        """
        guide_loss = get_guide_loss(self.algorithm)
        device_type = inputs[0].device.type
        autocast = dict(
            device_type=device_type,
            dtype=torch.get_autocast_dtype(device_type),
            enabled=torch.is_autocast_enabled(device_type))

        def extract(views: Tensor) -> Tuple[Tensor, ...]:
            """Backbone outputs without a graph, in float32; the last map is
            a leaf that requires grad."""
            with torch.no_grad(), torch.autocast(**autocast):
                features = tuple(f.float() for f in self.backbone(views))
            return features[:-1] + (features[-1].requires_grad_(), )

        with torch.enable_grad(), torch.autocast(device_type, enabled=False):
            loss, leaves = guide_loss(self.algorithm, list(inputs), extract)
            grads = torch.autograd.grad(loss, leaves)
        return (torch.cat([leaf.detach()
                           for leaf in leaves]), torch.cat(grads))

    def box_generator(self, device: torch.device) -> torch.Generator:
        """The ``'random'`` rule's stream of this rank, made on first use.

        Seeded with ``base + rank`` (``base`` is ``box_seed``, or torch's
        initial seed, which mmengine sets to the same ``randomness.seed`` on
        every rank), so that the ranks of a distributed run place their
        random boxes independently, and a run is reproducible from its
        seed.

        Args:
            device (torch.device): Where the stream draws, on first use.

        Returns:
            torch.Generator: The same generator on every later call.
        """
        if self._box_generator is None:
            base = torch.initial_seed() if self.box_seed is None \
                else self.box_seed
            generator = torch.Generator(device=device)
            generator.manual_seed((base + get_rank()) % 2**63)
            self._box_generator = generator
        return self._box_generator

    def sample(self,
               inputs: List[Tensor],
               box_rule: Optional[str] = None) -> SamplingResult:
        """Run the guide pass and the sampling on a batch of views.

        Args:
            inputs (list[Tensor]): The views, each of shape (N, C, H, W).
            box_rule (str, optional): Overrides ``self.box_rule`` for this
                call (e.g. to draw a control's boxes). Defaults to None.

        Returns:
            SamplingResult: Maps, boxes and crops of all views, view-major.
        """
        features, grads = self.guide(inputs)
        views = torch.cat(list(inputs))
        lam = loss_activation_map(features, grads, views.shape[-2:])
        box_rule = box_rule or self.box_rule
        generator = self.box_generator(
            lam.device) if box_rule == 'random' else None
        boxes, kept_whole = rule_boxes(lam, self.ratio, box_rule, generator)
        crops = crop_and_resize(views, boxes)
        return SamplingResult(lam, boxes, kept_whole, crops, box_rule)


def _strip_algorithm_prefix(module: GraSS, state_dict: dict, prefix: str,
                            local_metadata: dict) -> None:
    """Save the wrapped algorithm's entries without ``algorithm.``."""
    inner = prefix + _PREFIX
    for key in [k for k in state_dict if k.startswith(inner)]:
        state_dict[prefix + key[len(inner):]] = state_dict.pop(key)
    metadata = getattr(state_dict, '_metadata', None)
    if metadata is not None:
        for key in [k for k in metadata if k.startswith(inner)]:
            metadata[prefix + key[len(inner):]] = metadata.pop(key)


def _add_algorithm_prefix(module: GraSS, state_dict: dict, prefix: str,
                          local_metadata: dict, strict: bool,
                          missing_keys: list, unexpected_keys: list,
                          error_msgs: list) -> None:
    """Load entries saved without ``algorithm.`` into the wrapped algorithm.

    Also accepts checkpoints of the bare algorithm (e.g. SimCLR's).
    """
    inner = prefix + _PREFIX
    for key in [
            k for k in state_dict
            if k.startswith(prefix) and not k.startswith(inner)
    ]:
        state_dict[inner + key[len(prefix):]] = state_dict.pop(key)
