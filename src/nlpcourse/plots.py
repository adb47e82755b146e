"""Reusable pictures: heatmaps, attention maps, training curves, confusion matrices, bars, maps.

Every function draws on the given ``ax`` (or a new figure), labels its axes, and returns the axes
so a notebook can adjust it further.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

__all__ = [
    "heatmap",
    "attention_heads",
    "training_curves",
    "confusion_matrix",
    "bars",
    "embedding_map",
]


def _to_numpy(values: Any) -> np.ndarray:
    if hasattr(values, "detach"):  # a torch tensor
        values = values.detach().float().cpu().numpy()
    return np.asarray(values, dtype=float)


def _axes(ax: Axes | None, size: tuple[float, float] = (6, 5)) -> Axes:
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def heatmap(
    matrix: Any,
    xlabels: Sequence[str] | None = None,
    ylabels: Sequence[str] | None = None,
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    annotate: bool | None = None,
    cmap: str = "viridis",
    ax: Axes | None = None,
    **imshow_kwargs: Any,
) -> Axes:
    """A labelled matrix picture (attention weights, cosine similarities, encodings)."""
    values = _to_numpy(matrix)
    ax = _axes(ax)
    image = ax.imshow(values, cmap=cmap, aspect="auto", **imshow_kwargs)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    if xlabels is not None:
        ax.set_xticks(range(len(xlabels)), labels=list(xlabels), rotation=45, ha="right")
    if ylabels is not None:
        ax.set_yticks(range(len(ylabels)), labels=list(ylabels))
    if annotate if annotate is not None else values.size <= 100:
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="w", fontsize=8)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def attention_heads(attentions: Any, tokens: Sequence[str], *, ncols: int = 4, title: str = "") -> np.ndarray:
    """One heatmap per head of a ``(heads, seq, seq)`` attention tensor; returns the axes grid."""
    weights = _to_numpy(attentions)
    heads = weights.shape[0]
    nrows = -(-heads // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3 * ncols, 3 * nrows), squeeze=False)
    for h, ax in enumerate(axes.flat):
        if h >= heads:
            ax.axis("off")
            continue
        ax.imshow(weights[h], cmap="viridis", vmin=0, vmax=1)
        ax.set_title(f"head {h}", fontsize=9)
        ax.set_xticks(range(len(tokens)), labels=list(tokens), rotation=90, fontsize=7)
        ax.set_yticks(range(len(tokens)), labels=list(tokens), fontsize=7)
    fig.supxlabel("attended-to token (key)")
    fig.supylabel("attending token (query)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return axes


def training_curves(log_history: Sequence[Mapping[str, Any]], *, metric: str = "eval_accuracy") -> np.ndarray:
    """Loss (train and eval) and an eval metric against the step, from ``trainer.state.log_history``."""
    fig, (loss_ax, metric_ax) = plt.subplots(1, 2, figsize=(11, 4))
    for key, style in (("loss", "o-"), ("eval_loss", "s-")):
        points = [(row["step"], row[key]) for row in log_history if key in row]
        if points:
            loss_ax.plot(*zip(*points, strict=True), style, label=key)
    loss_ax.set(xlabel="training step", ylabel="loss", title="Loss")
    loss_ax.legend()
    points = [(row["step"], row[metric]) for row in log_history if metric in row]
    if points:
        metric_ax.plot(*zip(*points, strict=True), "s-", color="tab:green")
    metric_ax.set(xlabel="training step", ylabel=metric, title=metric)
    fig.tight_layout()
    return np.array([loss_ax, metric_ax])


def confusion_matrix(
    y_true: Sequence[Any],
    y_pred: Sequence[Any],
    labels: Sequence[str],
    *,
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Counts of (true, predicted) label pairs, drawn by scikit-learn."""
    from sklearn.metrics import ConfusionMatrixDisplay

    ax = _axes(ax, (5, 4))
    numeric = isinstance(y_true[0], (int, np.integer))
    ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=list(range(len(labels))) if numeric else list(labels),
        display_labels=list(labels),
        ax=ax,
        colorbar=False,
    )
    ax.set_title(title)
    return ax


def bars(
    values: Mapping[str, float],
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    ax: Axes | None = None,
) -> Axes:
    """A bar per key, with its value written on top."""
    ax = _axes(ax, (7, 4))
    names, heights = list(values), list(values.values())
    drawn = ax.bar(names, heights, color="tab:blue")
    ax.bar_label(drawn, fmt="%.3g")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.tick_params(axis="x", rotation=30)
    return ax


def embedding_map(
    vectors: Any,
    labels: Sequence[str],
    *,
    groups: Sequence[str] | None = None,
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Vectors projected to 2-D with PCA, each point labelled (and coloured by group)."""
    from sklearn.decomposition import PCA

    points = PCA(n_components=2).fit_transform(_to_numpy(vectors))
    ax = _axes(ax, (6, 5))
    colours = {g: f"C{i}" for i, g in enumerate(dict.fromkeys(groups or []))}
    for (x, y), label, group in zip(points, labels, groups or [None] * len(labels), strict=True):
        ax.scatter(x, y, color=colours.get(group, "C0"))
        ax.annotate(label, (x, y), fontsize=8, xytext=(3, 3), textcoords="offset points")
    ax.set(title=title, xlabel="first principal component", ylabel="second principal component")
    return ax
