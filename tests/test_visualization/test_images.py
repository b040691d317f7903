"""De-normalising views: the inverse of the data preprocessor."""
import numpy as np
import pytest
import torch
from mmpretrain.registry import MODELS

from grass_mm.visualization import (Normalization, denormalize_views,
                                    preprocessor_normalization)

MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]


@pytest.mark.parametrize('to_rgb', [True, False])
def test_denormalize_inverts_the_preprocessor(to_rgb):
    preprocessor = MODELS.build(
        dict(
            type='SelfSupDataPreprocessor', mean=MEAN, std=STD, to_rgb=to_rgb))
    generator = torch.Generator().manual_seed(0)
    bgr = [
        torch.randint(
            0, 256, (2, 3, 5, 7), generator=generator, dtype=torch.uint8)
        for _ in range(2)
    ]
    inputs = preprocessor(dict(inputs=bgr, data_samples=None), False)['inputs']
    normalization = preprocessor_normalization(preprocessor)
    assert normalization.rgb is to_rgb
    np.testing.assert_allclose(normalization.mean, MEAN, rtol=1e-6)
    np.testing.assert_allclose(normalization.std, STD, rtol=1e-6)
    images = denormalize_views(inputs[0], normalization)
    assert images.shape == (2, 5, 7, 3) and images.dtype == np.uint8
    # always RGB out: the loaded BGR channels reversed
    expected = bgr[0].permute(0, 2, 3, 1).flip(-1).numpy()
    np.testing.assert_array_equal(images, expected)


def test_without_normalisation_values_are_only_rounded_and_clipped():
    preprocessor = MODELS.build(dict(type='SelfSupDataPreprocessor'))
    normalization = preprocessor_normalization(preprocessor)
    assert normalization == Normalization(None, None, False)
    views = torch.tensor([-3.0, 0.4, 0.6, 300.0]).view(1, 1, 1, 4)
    images = denormalize_views(views, normalization)
    assert images.shape == (1, 1, 4, 3)  # one channel shown as grey
    assert images[0, 0, :, 0].tolist() == [0, 0, 1, 255]
    with pytest.raises(ValueError, match='1 or 3'):
        denormalize_views(torch.zeros(1, 2, 3, 3), normalization)
