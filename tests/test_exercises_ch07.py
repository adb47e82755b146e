import math

import numpy as np
import pytest

from nlpcourse.exercises import ch07

MATRIX = [[50, 10], [5, 35]]  # rows: true negative/positive; columns: predicted
LOSSES = [2.0, 3.0, 1.0, 2.0]
REFERENCE = "the night train to the coast leaves the city at seven in the morning"


def test_check_precision():
    assert ch07.check_precision(35 / 45, MATRIX)
    assert ch07.check_precision(np.float64(35 / 45), np.array(MATRIX))
    assert "replace the `...`" in ch07.check_precision(..., MATRIX).message
    assert "that is recall" in ch07.check_precision(35 / 40, MATRIX).message
    assert "that is accuracy" in ch07.check_precision(85 / 100, MATRIX).message
    assert "negative class" in ch07.check_precision(50 / 55, MATRIX).message
    assert "between 0 and 1" in ch07.check_precision(35, MATRIX).message
    assert "one number" in ch07.check_precision([0.7], MATRIX).message
    assert "TP / (TP + FP)" in ch07.check_precision(0.5, MATRIX).message


def test_check_perplexity():
    expected = math.exp(2.0)
    assert ch07.check_perplexity(expected, LOSSES)
    assert "replace the `...`" in ch07.check_perplexity(..., LOSSES).message
    assert "mean loss itself" in ch07.check_perplexity(2.0, LOSSES).message
    mean_of_exp = sum(math.exp(x) for x in LOSSES) / 4
    assert "averaged exp(loss)" in ch07.check_perplexity(mean_of_exp, LOSSES).message
    assert "sum of the losses" in ch07.check_perplexity(math.exp(8.0), LOSSES).message
    assert "below 1" in ch07.check_perplexity(0.5, LOSSES).message
    assert "expected exp(mean" in ch07.check_perplexity(10.0, LOSSES).message
    assert "one number" in ch07.check_perplexity([1, 2], LOSSES).message


def test_check_reordering():
    scrambled = "morning seven coast the at city the leaves train night in the the to"
    assert ch07.check_reordering(scrambled, REFERENCE)
    phrases_moved = "seven in the morning the city at the coast leaves the night train to"
    assert "still" in ch07.check_reordering(phrases_moved, REFERENCE).message
    assert "replace the `...`" in ch07.check_reordering(..., REFERENCE).message
    assert "a string" in ch07.check_reordering(["the"], REFERENCE).message
    msg = ch07.check_reordering(REFERENCE.replace("train", "bus"), REFERENCE).message
    assert "not in the reference" in msg and "'bus'" in msg and "left out: ['train']" in msg
    assert "still" in ch07.check_reordering(REFERENCE, REFERENCE).message


def test_check_interval():
    assert ch07.check_interval((0.80, 0.88), 0.84)
    assert ch07.check_interval(np.array([0.80, 0.88]), 0.84)
    assert "replace the `...`" in ch07.check_interval(..., 0.84).message
    assert "pair" in ch07.check_interval(0.8, 0.84).message
    assert "is above high" in ch07.check_interval((0.88, 0.80), 0.84).message
    assert "leaves [0, 1]" in ch07.check_interval((2.5, 97.5), 0.84).message
    assert "width 0" in ch07.check_interval((0.84, 0.84), 0.84).message
    assert "does not contain" in ch07.check_interval((0.6, 0.7), 0.84).message
    assert "too wide" in ch07.check_interval((0.5, 0.95), 0.84).message


def test_tensors_count_as_numbers_and_several_numbers_are_explained_not_raised():
    torch = pytest.importorskip("torch")
    assert ch07.check_precision(torch.tensor(35 / 45, dtype=torch.float64), torch.tensor(MATRIX))
    assert ch07.check_perplexity(torch.tensor(LOSSES).mean().exp(), torch.tensor(LOSSES))
    assert ch07.check_interval(torch.tensor([0.80, 0.88]), 0.84)
    assert "one number" in ch07.check_precision(torch.tensor([0.5, 0.7]), MATRIX).message
    assert "one number" in ch07.check_perplexity(torch.tensor(LOSSES).exp(), LOSSES).message


@pytest.mark.parametrize("answer", [None, ...])
def test_unanswered_never_raises(answer):
    for feedback in (
        ch07.check_precision(answer, MATRIX),
        ch07.check_perplexity(answer, LOSSES),
        ch07.check_reordering(answer, REFERENCE),
        ch07.check_interval(answer, 0.5),
    ):
        assert not feedback and "replace the `...`" in feedback.message
