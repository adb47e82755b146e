import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score
from transformers import TrainingArguments

from nlpcourse.exercises import ch06


def test_training_steps():
    assert ch06.check_training_steps(189)
    assert "replace the `...`" in ch06.check_training_steps(...).message
    assert "one epoch" in ch06.check_training_steps(63).message
    assert "Round up" in ch06.check_training_steps(187.5).message
    assert "Round up" in ch06.check_training_steps(186).message
    assert "counts reviews" in ch06.check_training_steps(3000).message
    assert "ceil(examples / batch size)" in ch06.check_training_steps(42).message
    assert "expected a number" in ch06.check_training_steps("189").message


def _right_metrics(eval_pred):
    logits, labels = eval_pred
    preds = np.argmax(logits, axis=-1)
    return {"accuracy": accuracy_score(labels, preds), "f1": f1_score(labels, preds)}


def test_compute_metrics_accepts_a_right_function():
    feedback = ch06.check_compute_metrics(_right_metrics)
    assert feedback, feedback.message


def test_compute_metrics_also_accepts_attribute_access():
    def metrics(p):
        preds = p.predictions.argmax(-1)
        return {"accuracy": float((preds == p.label_ids).mean()), "f1": float(f1_score(p.label_ids, preds))}

    assert ch06.check_compute_metrics(metrics)


def test_compute_metrics_explains_mistakes():
    assert "replace the `...`" in ch06.check_compute_metrics(...).message
    assert "not a call" in ch06.check_compute_metrics(None).message
    assert "expected a function" in ch06.check_compute_metrics(0.5).message

    def macro(p):
        logits, labels = p
        preds = np.argmax(logits, axis=-1)
        return {"accuracy": accuracy_score(labels, preds), "f1": f1_score(labels, preds, average="macro")}

    assert "macro F1" in ch06.check_compute_metrics(macro).message

    def no_argmax(p):
        logits, labels = p
        return {"accuracy": accuracy_score(labels, logits), "f1": 0.0}

    assert "raised ValueError" in ch06.check_compute_metrics(no_argmax).message
    assert "lacks ['f1']" in ch06.check_compute_metrics(lambda p: {"accuracy": 0.75}).message
    assert "needs a dict" in ch06.check_compute_metrics(lambda p: 0.75).message

    def wrong_axis(p):
        logits, labels = p
        preds = np.argmax(logits, axis=0)[: len(labels)]
        return {"accuracy": float(np.mean(preds == labels[: len(preds)])), "f1": 0.0}

    assert "accuracy" in ch06.check_compute_metrics(wrong_axis).message


def _right_freeze(model, n):
    for param in model.distilbert.parameters():
        param.requires_grad = False
    layers = model.distilbert.transformer.layer
    for layer in layers[len(layers) - n :] if n else []:
        for param in layer.parameters():
            param.requires_grad = True


def test_freeze_accepts_a_right_function():
    feedback = ch06.check_freeze_all_but_top(_right_freeze)
    assert feedback, feedback.message


def test_freeze_explains_mistakes():
    assert "replace the `...`" in ch06.check_freeze_all_but_top(...).message

    def nothing(model, n):
        pass

    assert "embeddings are still trainable" in ch06.check_freeze_all_but_top(nothing).message

    def everything(model, n):
        for param in model.parameters():
            param.requires_grad = False

    assert "head" in ch06.check_freeze_all_but_top(everything).message

    def off_by_one(model, n):
        _right_freeze(model, n + 1)

    message = ch06.check_freeze_all_but_top(off_by_one).message
    assert "layer 2 is trainable" in message and "only the top 1" in message

    def crashes(model, n):
        model.bert.requires_grad_(False)

    assert "raised AttributeError" in ch06.check_freeze_all_but_top(crashes).message


def _args(tmp_path, **changes):
    settings = dict(
        output_dir=str(tmp_path),
        num_train_epochs=3,
        learning_rate=3e-5,
        eval_strategy="epoch",
        save_strategy="epoch",
        load_best_model_at_end=True,
        metric_for_best_model="f1",
        report_to="none",
    )
    settings.update(changes)
    return TrainingArguments(**settings)


def test_training_args_accepts_the_right_settings(tmp_path):
    feedback = ch06.check_training_args(_args(tmp_path))
    assert feedback, feedback.message
    assert ch06.check_training_args(_args(tmp_path, metric_for_best_model="eval_f1"))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"num_train_epochs": 2}, "num_train_epochs should be 3"),
        ({"learning_rate": 5e-5}, "learning_rate should be 3e-5"),
        ({"load_best_model_at_end": False}, "load_best_model_at_end=True"),
        ({"metric_for_best_model": "accuracy"}, "metric_for_best_model should be 'f1'"),
        ({"greater_is_better": False}, "higher F1 is better"),
        (
            {"eval_strategy": "no", "save_strategy": "no", "load_best_model_at_end": False},
            "eval_strategy='epoch'",
        ),
    ],
)
def test_training_args_explains_mistakes(tmp_path, changes, expected):
    assert expected in ch06.check_training_args(_args(tmp_path, **changes)).message


def test_training_args_needs_the_object():
    assert "replace the `...`" in ch06.check_training_args(...).message
    assert "TrainingArguments object" in ch06.check_training_args({"num_train_epochs": 3}).message
