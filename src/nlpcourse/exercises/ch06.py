"""Checkers for chapter 06, fine-tuning.

Each checker returns a :class:`~nlpcourse.exercises.Feedback`; none raises on a wrong answer.
"""

from __future__ import annotations

import math
from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong

__all__ = [
    "STEPS_EXAMPLE",
    "METRICS_EXAMPLE",
    "check_training_steps",
    "check_compute_metrics",
    "check_freeze_all_but_top",
    "check_training_args",
    "tiny_distilbert_classifier",
]

#: The run of the steps exercise: training reviews, batch size per step, epochs.
STEPS_EXAMPLE = {"examples": 1000, "batch_size": 16, "epochs": 3}

#: Logits and labels the ``compute_metrics`` exercise is checked on (5 right out of 8).
METRICS_EXAMPLE = {
    "logits": [
        [2.0, -1.0],
        [0.5, 1.5],
        [-0.3, 0.9],
        [1.2, 0.1],
        [1.0, -2.0],
        [0.2, -0.4],
        [0.1, 0.3],
        [3.0, -3.0],
    ],
    "labels": [0, 1, 1, 1, 1, 0, 0, 0],
}


def check_training_steps(answer: Any) -> Feedback:
    """Optimizer steps of a run over :data:`STEPS_EXAMPLE` (the last, smaller batch counts)."""
    if is_unanswered(answer):
        return not_answered("the number of optimizer steps, an integer")
    n, bs, epochs = STEPS_EXAMPLE["examples"], STEPS_EXAMPLE["batch_size"], STEPS_EXAMPLE["epochs"]
    per_epoch = math.ceil(n / bs)
    right = per_epoch * epochs
    if not isinstance(answer, (int, float)) or isinstance(answer, bool):
        return wrong(f"expected a number of steps, got {type(answer).__name__}.")
    if answer == right:
        return correct(f"ceil({n} / {bs}) = {per_epoch} steps per epoch, times {epochs} epochs = {right}.")
    if answer == per_epoch:
        return wrong(f"{per_epoch} is one epoch; the run has {epochs} of them.")
    if answer in (n * epochs / bs, (n // bs) * epochs, math.floor(n * epochs / bs)):
        return wrong(
            f"{n} / {bs} is not a whole number: the last batch of each epoch is smaller "
            f"({n % bs} reviews) but still costs a step. Round up per epoch."
        )
    if answer == n * epochs:
        return wrong("that counts reviews, not steps: one step processes a whole batch.")
    return wrong(f"steps per epoch = ceil(examples / batch size); multiply by the {epochs} epochs.")


def _reference_metrics() -> tuple[dict[str, float], float]:
    from sklearn.metrics import accuracy_score, f1_score

    logits, labels = METRICS_EXAMPLE["logits"], METRICS_EXAMPLE["labels"]
    preds = [max(range(len(row)), key=row.__getitem__) for row in logits]
    right = {"accuracy": accuracy_score(labels, preds), "f1": f1_score(labels, preds)}
    return right, f1_score(labels, preds, average="macro")


def check_compute_metrics(answer: Any) -> Feedback:
    """A ``compute_metrics(eval_pred)`` that returns accuracy and the positive class's F1."""
    if is_unanswered(answer):
        return not_answered("your `compute_metrics` function (the function itself, not a call)")
    if not callable(answer):
        return wrong(f"expected a function that takes an EvalPrediction, got {type(answer).__name__}.")
    import numpy as np
    from transformers import EvalPrediction

    pred = EvalPrediction(
        predictions=np.array(METRICS_EXAMPLE["logits"]), label_ids=np.array(METRICS_EXAMPLE["labels"])
    )
    try:
        result = answer(pred)
    except Exception as err:  # report the learner's error instead of raising it
        return wrong(f"calling it on an EvalPrediction raised {type(err).__name__}: {err}")
    if not isinstance(result, dict):
        return wrong(
            f"the Trainer needs a dict like {{'accuracy': ..., 'f1': ...}}; got {type(result).__name__}."
        )
    missing = {"accuracy", "f1"} - set(result)
    if missing:
        return wrong(f"the dict lacks {sorted(missing)}; it has {sorted(result)}.")
    right, macro = _reference_metrics()
    try:
        acc, f1 = float(result["accuracy"]), float(result["f1"])
    except (TypeError, ValueError):
        return wrong("the values must be numbers (use float(...) around what scikit-learn returns).")
    if abs(acc - right["accuracy"]) > 1e-6:
        if abs(acc - 0.5) < 1e-6 or not 0 <= acc <= 1:
            return wrong("accuracy is off: take argmax over the last axis of the logits to get predictions.")
        return wrong(f"accuracy should be {right['accuracy']:.3f} on this example; yours is {acc:.3f}.")
    if abs(f1 - right["f1"]) > 1e-6:
        if abs(f1 - macro) < 1e-6:
            return wrong(
                "that is the macro F1; the exercise asks for the positive class's F1 "
                "(scikit-learn's default, average='binary')."
            )
        return wrong(f"F1 should be {right['f1']:.3f} on this example; yours is {f1:.3f}.")
    return correct(f"accuracy {acc:.3f} and F1 {f1:.3f} on the check example.")


def tiny_distilbert_classifier(n_layers: int = 4) -> Any:
    """A small random DistilBertForSequenceClassification (no download) for the freezing exercise."""
    import torch
    from transformers import DistilBertConfig, DistilBertForSequenceClassification

    torch.manual_seed(0)
    config = DistilBertConfig(
        vocab_size=100, dim=32, n_layers=n_layers, n_heads=2, hidden_dim=64, num_labels=2
    )
    return DistilBertForSequenceClassification(config)


def _trainable_groups(model: Any) -> dict[str, bool]:
    """For each group (embeddings, layer.i, head) whether any of its parameters is trainable."""
    groups: dict[str, bool] = {}
    for name, param in model.named_parameters():
        if ".embeddings." in name or name.startswith("embeddings."):
            key = "embeddings"
        elif ".layer." in name:
            key = "layer." + name.split(".layer.")[1].split(".")[0]
        else:
            key = "head"
        groups[key] = groups.get(key, False) or param.requires_grad
    return groups


def check_freeze_all_but_top(answer: Any) -> Feedback:
    """``freeze(model, n)`` freezes the embeddings and all but the top ``n`` layers, not the head."""
    if is_unanswered(answer):
        return not_answered("your function `freeze_all_but_top(model, n)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function (model, n), got {type(answer).__name__}.")
    layers = 4
    for n in (1, 2, 0):
        model = tiny_distilbert_classifier(layers)
        try:
            answer(model, n)
        except Exception as err:  # report the learner's error instead of raising it
            return wrong(f"calling it with n={n} raised {type(err).__name__}: {err}")
        groups = _trainable_groups(model)
        if groups["embeddings"]:
            return wrong(f"with n={n} the embeddings are still trainable: freeze them too.")
        if not groups["head"]:
            return wrong(
                f"with n={n} the classification head (pre_classifier, classifier) is frozen: "
                "it is new and must stay trainable."
            )
        for i in range(layers):
            should_train = i >= layers - n
            if groups[f"layer.{i}"] != should_train:
                state = "trainable" if groups[f"layer.{i}"] else "frozen"
                return wrong(
                    f"with n={n} on a {layers}-layer model, layer {i} is {state}; only the top {n} "
                    f"(layers {list(range(layers - n, layers))}) should train."
                )
    return correct("embeddings and lower layers frozen, top layers and head trainable, for n = 0, 1, 2.")


def check_training_args(answer: Any) -> Feedback:
    """TrainingArguments: 3 epochs, lr 3e-5, eval and save each epoch, best by F1, no reporting."""
    if is_unanswered(answer):
        return not_answered("a `TrainingArguments(...)` object")
    from transformers import TrainingArguments

    if not isinstance(answer, TrainingArguments):
        return wrong(f"expected a TrainingArguments object, got {type(answer).__name__}.")
    if answer.num_train_epochs != 3:
        return wrong(f"num_train_epochs should be 3; it is {answer.num_train_epochs}.")
    if not math.isclose(answer.learning_rate, 3e-5):
        return wrong(f"learning_rate should be 3e-5; it is {answer.learning_rate:g}.")
    if str(getattr(answer.eval_strategy, "value", answer.eval_strategy)) != "epoch":
        return wrong("evaluate once per epoch: eval_strategy='epoch'.")
    if str(getattr(answer.save_strategy, "value", answer.save_strategy)) != "epoch":
        return wrong(
            "save once per epoch too (save_strategy='epoch'): the best checkpoint must exist on disk."
        )
    if not answer.load_best_model_at_end:
        return wrong(
            "set load_best_model_at_end=True so the model you keep is the best epoch's, not the last."
        )
    metric = (answer.metric_for_best_model or "").removeprefix("eval_")
    if metric != "f1":
        return wrong(
            f"metric_for_best_model should be 'f1'; it is {answer.metric_for_best_model!r} "
            "(the default is the eval loss)."
        )
    if answer.greater_is_better is False:
        return wrong("a higher F1 is better: leave greater_is_better at its default or set it to True.")
    if answer.report_to not in ([], ["none"], "none", None):
        return wrong(f"report_to should be 'none' (no experiment tracker); it is {answer.report_to!r}.")
    return correct("evaluated and saved each epoch, the best epoch by F1 reloaded at the end.")
