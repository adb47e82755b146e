"""Checkers for notebook 07, evaluating models.

Each checker takes the learner's answer plus the data the exercise shows, works out what it can
itself and returns a :class:`~nlpcourse.exercises.Feedback` that says what is off.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong
from nlpcourse.exercises._check import floats, number, plain

__all__ = [
    "check_precision",
    "check_perplexity",
    "check_reordering",
    "check_interval",
]


def _cells(matrix: Any) -> tuple[int, int, int, int]:
    """``(tn, fp, fn, tp)`` of a 2x2 confusion matrix (rows = true label, columns = prediction)."""
    (tn, fp), (fn, tp) = plain(matrix)
    return int(tn), int(fp), int(fn), int(tp)


def check_precision(answer: Any, matrix: Any) -> Feedback:
    """Exercise 1: precision of the positive class (label 1) from a 2x2 confusion matrix."""
    if is_unanswered(answer):
        return not_answered("the precision of the positive class, a number between 0 and 1")
    got = number(answer)
    if got is None:
        return wrong(f"expected one number, got {type(answer).__name__}.")
    tn, fp, fn, tp = _cells(matrix)
    expected = tp / (tp + fp) if tp + fp else 0.0
    if abs(got - expected) < 1e-6:
        return correct(
            f"precision = TP / (TP + FP) = {tp} / {tp + fp} = {expected:.4f}: of the reviews the model "
            "called positive, this share really is positive."
        )
    if got > 1 or got < 0:
        return wrong(f"{got} is not a share: precision lies between 0 and 1 (did you forget to divide?).")
    total = tn + fp + fn + tp
    if tp + fn and abs(got - tp / (tp + fn)) < 1e-6:
        return wrong(
            "that is recall, TP / (TP + FN): you divided by the truly positive reviews (a row of the "
            "matrix). Precision divides by the reviews *predicted* positive (a column)."
        )
    if total and abs(got - (tn + tp) / total) < 1e-6:
        return wrong(
            "that is accuracy, (TN + TP) / all; precision looks only at the predicted-positive column."
        )
    if tn + fn and abs(got - tn / (tn + fn)) < 1e-6:
        return wrong("that is the precision of the negative class (label 0); the exercise asks for label 1.")
    return wrong(
        f"expected TP / (TP + FP) with TP = matrix[1][1] and FP = matrix[0][1]; your {got:.4f} is not that. "
        "Rows are the true labels, columns the predictions."
    )


def check_perplexity(answer: Any, token_losses: Sequence[float]) -> Feedback:
    """Exercise 2: the perplexity of a text from its per-token losses (negative log-likelihoods)."""
    if is_unanswered(answer):
        return not_answered("the perplexity, one number")
    got = number(answer)
    if got is None:
        return wrong(f"expected one number, got {type(answer).__name__}.")
    losses = floats(token_losses)
    mean = sum(losses) / len(losses)
    expected = math.exp(mean)
    if math.isclose(got, expected, rel_tol=1e-4):
        return correct(f"perplexity = exp(mean loss) = exp({mean:.4f}) = {expected:.4f}.")
    if math.isclose(got, mean, rel_tol=1e-4):
        return wrong("that is the mean loss itself; perplexity is exp() of it.")
    if math.isclose(got, sum(math.exp(x) for x in losses) / len(losses), rel_tol=1e-4):
        return wrong(
            "you averaged exp(loss) over the tokens; average the losses first, then take exp() once."
        )
    if math.isclose(got, math.exp(sum(losses)), rel_tol=1e-4):
        return wrong(
            "you used the sum of the losses; perplexity uses their mean, so divide by the number of tokens."
        )
    if got < 1:
        return wrong(
            f"{got} is below 1, which no perplexity can be: exp() of a non-negative mean loss is at least 1."
        )
    return wrong(f"expected exp(mean of the {len(losses)} losses) = {expected:.4f}, got {got:.4f}.")


def _words(text: str) -> list[str]:
    return text.lower().split()


def check_reordering(answer: Any, reference: str, max_bleu: float = 30.0) -> Feedback:
    """Exercise 3: the reference's exact words (ROUGE-1 = 1) with a sacreBLEU score below ``max_bleu``."""
    if is_unanswered(answer):
        return not_answered("a string: the reference's words in another order")
    if not isinstance(answer, str):
        return wrong(f"expected a string, got {type(answer).__name__}.")
    from rouge_score import rouge_scorer
    from sacrebleu.metrics import BLEU

    got, ref = Counter(_words(answer)), Counter(_words(reference))
    extra, missing = sorted((got - ref).elements()), sorted((ref - got).elements())
    if extra or missing:
        parts = []
        if extra:
            parts.append(f"words not in the reference (or used too often): {extra}")
        if missing:
            parts.append(f"reference words you left out: {missing}")
        return wrong("use exactly the reference's words, each as often as there; " + "; ".join(parts) + ".")
    rouge1 = rouge_scorer.RougeScorer(["rouge1"]).score(reference, answer)["rouge1"].fmeasure
    bleu = BLEU().corpus_score([answer], [[reference]]).score  # what evaluate's sacrebleu computes
    if rouge1 < 1:  # punctuation can split differently in rouge_score's tokenizer
        return wrong(f"ROUGE-1 is {rouge1:.3f}, not 1: keep the words exactly as the reference spells them.")
    if bleu >= max_bleu:
        return wrong(
            f"ROUGE-1 is 1 but sacreBLEU is still {bleu:.1f} (target: below {max_bleu:g}); break up "
            "more of the reference's word pairs and triples so fewer n-grams match."
        )
    return correct(
        f"ROUGE-1 = 1.0 (every word matches) while BLEU = {bleu:.1f}: unigram overlap ignores order, "
        "BLEU's 2- to 4-grams do not."
    )


def check_interval(answer: Any, point: float) -> Feedback:
    """Exercise 4: a bootstrap confidence interval ``(low, high)`` around the estimate ``point``."""
    if is_unanswered(answer):
        return not_answered("a pair (low, high) from the bootstrap percentiles")
    try:
        low, high = (number(v) for v in answer)
    except (TypeError, ValueError):
        return wrong(f"expected a pair (low, high), got {answer!r}.")
    if low is None or high is None:
        return wrong("both ends of the interval must be numbers.")
    if low > high:
        return wrong(
            f"low ({low:.4f}) is above high ({high:.4f}): take the 2.5th percentile first, then the 97.5th."
        )
    if low < 0 or high > 1:
        return wrong(
            f"({low:.4f}, {high:.4f}) leaves [0, 1]: macro F1 is a share; "
            "did you use 2.5 and 97.5 as the values?"
        )
    if high - low == 0:
        return wrong(
            "the interval has width 0: resample the test examples *with replacement* (replace=True)."
        )
    if not low <= point <= high:
        return wrong(
            f"the interval ({low:.4f}, {high:.4f}) does not contain the F1 on the whole test set "
            f"({point:.4f}); "
            "resample the (reference, prediction) pairs together, with the same indices for both."
        )
    if high - low > 0.3:
        return wrong(
            f"the interval is {high - low:.3f} wide, far too wide for a few hundred examples; "
            "check the percentiles."
        )
    return correct(
        f"95% of the resampled test sets give a macro F1 between {low:.3f} and {high:.3f}; differences "
        "between models smaller than this width are not evidence of much."
    )
