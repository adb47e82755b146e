"""Every plot helper draws labelled axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from nlpcourse import plots  # noqa: E402


def test_heatmap_labels_and_annotations():
    ax = plots.heatmap(
        torch.eye(3), ["a", "b", "c"], ["x", "y", "z"], title="t", xlabel="key", ylabel="query"
    )
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "key" and len(ax.texts) == 9


def test_attention_heads_grid():
    axes = plots.attention_heads(torch.softmax(torch.randn(3, 4, 4), -1), list("abcd"), ncols=2)
    assert axes.shape == (2, 2) and not axes[1, 1].axison


def test_training_curves():
    history = [{"step": 1, "loss": 0.7}, {"step": 2, "eval_loss": 0.5, "eval_accuracy": 0.8}]
    loss_ax, acc_ax = plots.training_curves(history)
    assert len(loss_ax.lines) == 2 and acc_ax.get_ylabel() == "eval_accuracy"


def test_confusion_matrix_counts():
    ax = plots.confusion_matrix([0, 1, 1, 1], [0, 1, 0, 1], ["negative", "positive"])
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "1", "2"]


def test_bars_and_embedding_map():
    ax = plots.bars({"a": 1.0, "b": 2.5}, ylabel="n")
    assert [p.get_height() for p in ax.patches] == [1.0, 2.5]
    ax = plots.embedding_map(
        np.random.default_rng(0).normal(size=(5, 8)), list("abcde"), groups=list("xxyyy")
    )
    assert len(ax.texts) == 5 and ax.get_xlabel().startswith("first")
