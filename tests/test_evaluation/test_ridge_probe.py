# Copyright (c) grass_mm contributors. All rights reserved.
"""The probe's closed-form ridge regression and IoU, against NumPy."""
import math

import numpy as np
import pytest
import torch

from grass_mm.evaluation import (RidgeStatistics, confusion_matrix,
                                 intersection_over_union, ridge_classifier)


def numpy_ridge(x, labels, num_classes, ridge):
    """Ridge regression by least squares on an augmented system."""
    n, d = x.shape
    z = (x - x.mean(0)) / x.std(0)
    y = np.eye(num_classes)[labels]
    design = np.block([[z, np.ones((n, 1))],
                       [math.sqrt(ridge * n) * np.eye(d),
                        np.zeros((d, 1))]])
    target = np.vstack([y, np.zeros((d, num_classes))])
    solution = np.linalg.lstsq(design, target, rcond=None)[0]
    return solution[:d], solution[d]


@pytest.mark.parametrize('ridge', [1e-3, 1e-1, 2.0])
def test_ridge_equals_least_squares_reference(ridge):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6)) * [1, 2, 3, 0.5, 4, 1] + [0, 5, -2, 1, 0, 3]
    labels = rng.integers(0, 4, 300)
    stats = RidgeStatistics(6, 4)
    for part in np.array_split(np.arange(300), 3):  # sums over batches
        stats.add(torch.from_numpy(x[part]), torch.from_numpy(labels[part]))

    classifier = ridge_classifier(stats, ridge)

    weight, bias = numpy_ridge(x, labels, 4, ridge)
    np.testing.assert_allclose(
        classifier['weight'].numpy(), weight, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(classifier['bias'].numpy(), bias, atol=1e-6)
    np.testing.assert_allclose(
        classifier['mean'].numpy(), x.mean(0), rtol=1e-5)


def test_ignored_pixels_are_left_out():
    x = torch.randn(10, 3)
    labels = torch.tensor([0, 1, 255, 1, 0, 255, 2, 2, 1, 0])
    stats = RidgeStatistics(3, 3)
    stats.add(x, labels)
    kept = labels != 255
    reference = RidgeStatistics(3, 3)
    reference.add(x[kept], labels[kept])
    assert stats.count.item() == 8
    for a, b in zip(stats.tensors(), reference.tensors()):
        torch.testing.assert_close(a, b)


def test_separable_classes_are_recovered():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 600)
    x = np.eye(3)[labels] * 4 + rng.normal(size=(600, 3)) * 0.3
    stats = RidgeStatistics(3, 3)
    stats.add(torch.from_numpy(x), torch.from_numpy(labels))
    c = ridge_classifier(stats)
    logits = ((torch.from_numpy(x) - c['mean']) / c['std']) @ c['weight']
    assert ((logits + c['bias']).argmax(1).numpy() == labels).mean() == 1


def test_no_labelled_pixel_is_an_error():
    stats = RidgeStatistics(3, 2)
    stats.add(torch.randn(4, 3), torch.full((4, ), 255))
    with pytest.raises(ValueError, match='no labelled pixel'):
        ridge_classifier(stats)


def test_confusion_and_iou_by_hand():
    labels = torch.tensor([0, 0, 1, 1, 255, 2])
    predictions = torch.tensor([0, 1, 1, 1, 0, 1])
    confusion = confusion_matrix(predictions, labels, 4)
    expected = np.zeros((4, 4))
    for t, p in [(0, 0), (0, 1), (1, 1), (1, 1), (2, 1)]:
        expected[t, p] += 1
    np.testing.assert_array_equal(confusion.numpy(), expected)

    iou = intersection_over_union(confusion, ['a', 'b', 'c', 'd'])
    assert iou['IoU.a'] == pytest.approx(50.0)  # 1 / (2 + 1 - 1)
    assert iou['IoU.b'] == pytest.approx(50.0)  # 2 / (4 + 2 - 2)
    assert iou['IoU.c'] == 0.0
    assert math.isnan(iou['IoU.d'])  # never seen nor predicted
    assert iou['mIoU'] == pytest.approx(100 / 3)


def test_a_large_common_offset_keeps_the_statistics_exact():
    """Features of mean ~5000 and std ~1, as a backbone gives them in
    float32: the standardisation and the solution equal a float64 NumPy
    reference (raw float32 moments lose every digit of the spread)."""
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 3, 3000)
    spread = rng.normal(size=(3000, 5)) @ rng.normal(size=(5, 5)) * 0.5
    spread[:, :3] += np.eye(3)[labels]
    x = (5000 + rng.normal(size=5) + spread).astype(np.float32)
    stats = RidgeStatistics(5, 3)
    for part in np.array_split(np.arange(3000), 4):
        stats.add(torch.from_numpy(x[part]), torch.from_numpy(labels[part]))

    classifier = ridge_classifier(stats, 1e-2)

    exact = x.astype(np.float64)
    weight, bias = numpy_ridge(exact, labels, 3, 1e-2)
    # float64 moments: relative error ~ 1e-16 * (5000 / 1)^2, far below
    np.testing.assert_allclose(
        classifier['std'].numpy(), exact.std(0), rtol=1e-6)
    np.testing.assert_allclose(
        classifier['mean'].numpy(), exact.mean(0), rtol=1e-12)
    np.testing.assert_allclose(
        classifier['weight'].numpy(), weight, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(classifier['bias'].numpy(), bias, atol=1e-9)


def test_iou_equals_mmseg_iou_metric():
    """The probe's IoU of a confusion matrix and mmseg's IoUMetric run on
    the same predictions, as its evaluator would (rounded to 2 decimals)."""
    from mmengine.structures import PixelData
    from mmseg.evaluation import IoUMetric
    from mmseg.structures import SegDataSample

    rng = np.random.default_rng(3)
    labels = rng.integers(0, 4, (3, 16, 16))
    labels[0, :2] = 255
    predictions = np.where(
        rng.random((3, 16, 16)) < 0.6, labels, rng.integers(0, 4, (3, 16, 16)))
    predictions[predictions == 255] = 0
    classes = ('a', 'b', 'c', 'd')
    metric = IoUMetric()
    metric.dataset_meta = dict(classes=classes)
    samples = []
    for label, prediction in zip(labels, predictions):
        sample = SegDataSample()
        sample.gt_sem_seg = PixelData(data=torch.from_numpy(label)[None])
        sample.pred_sem_seg = PixelData(
            data=torch.from_numpy(prediction)[None])
        samples.append(sample.to_dict())
    metric.process({}, samples)
    expected = metric.compute_metrics(metric.results)

    confusion = confusion_matrix(
        torch.from_numpy(predictions), torch.from_numpy(labels), 4)
    iou = intersection_over_union(confusion, classes)
    assert iou['mIoU'] == pytest.approx(expected['mIoU'], abs=0.005)
    assert 40 < iou['mIoU'] < 90
