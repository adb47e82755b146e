import math

import numpy as np
import pytest
import torch

from nlpcourse.exercises import ch04

LOGITS = [2.0, -1.0, 0.5]


def test_softmax_reference_sums_to_one_and_is_stable():
    probs = ch04.softmax([1000.0, 1000.0])
    assert probs == pytest.approx([0.5, 0.5])
    assert sum(ch04.softmax(LOGITS)) == pytest.approx(1)


def test_check_softmax():
    assert ch04.check_softmax(torch.tensor(LOGITS).softmax(-1), LOGITS)
    assert ch04.check_softmax(ch04.softmax(LOGITS), LOGITS)
    assert "replace the `...`" in ch04.check_softmax(..., LOGITS).message
    assert "3 probabilities" in ch04.check_softmax([0.5, 0.5], LOGITS).message
    assert "exp()" in ch04.check_softmax([x / sum(LOGITS) for x in LOGITS], LOGITS).message
    assert "sum to" in ch04.check_softmax([math.exp(x) for x in LOGITS], LOGITS).message
    assert "do not match" in ch04.check_softmax([0.2, 0.3, 0.5], LOGITS).message
    assert "numbers" in ch04.check_softmax("abc", LOGITS).message


def test_check_padding():
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]])
    assert ch04.check_padding([0, 2, 3], mask)
    assert ch04.check_padding(torch.tensor([0, 2, 3]), mask.tolist())
    assert "replace the `...`" in ch04.check_padding(..., mask).message
    assert "real tokens" in ch04.check_padding([4, 2, 1], mask).message
    assert "3 rows" in ch04.check_padding([0, 2], mask).message
    assert "row 2 has 3" in ch04.check_padding([0, 2, 2], mask).message


def test_best_span_reference():
    start = [5.0, 1.0, 3.0, 0.0]
    end = [5.0, 0.0, 1.0, 4.0]
    allowed = [False, True, True, True]
    assert ch04.best_span(start, end, allowed, max_len=3) == (2, 3)
    assert ch04.best_span(start, end, allowed, max_len=1) == (2, 2)
    with pytest.raises(ValueError, match="no allowed"):
        ch04.best_span(start, end, [False] * 4, max_len=3)


def test_check_best_span():
    start = [0.0, 1.0, 4.0, 0.0, 0.0]
    end = [0.0, 3.0, 0.0, 2.0, 1.0]
    allowed = [False, True, True, True, True]
    assert ch04.check_best_span((2, 3), start, end, allowed, 4)
    assert "replace the `...`" in ch04.check_best_span(..., start, end, allowed, 4).message
    msg = ch04.check_best_span((2, 1), start, end, allowed, 4).message
    assert "comes before the start" in msg
    assert "not allowed" in ch04.check_best_span((0, 1), start, end, allowed, 4).message
    assert "at most 2" in ch04.check_best_span((1, 3), start, end, allowed, 2).message
    assert "scores" in ch04.check_best_span((1, 1), start, end, allowed, 4).message
    assert "between 0 and 4" in ch04.check_best_span((0, 9), start, end, allowed, 4).message
    assert "pair" in ch04.check_best_span(3, start, end, allowed, 4).message


def test_coverage_accuracy_and_check_threshold():
    confs = [0.55, 0.6, 0.7, 0.8, 0.9, 0.95]
    ok = [False, True, False, True, True, True]
    assert ch04.coverage_accuracy(confs, ok, 0.5) == (1.0, pytest.approx(4 / 6))
    cov, acc = ch04.coverage_accuracy(confs, ok, 0.99)
    assert cov == 0 and math.isnan(acc)
    assert ch04.check_threshold(0.8, confs, ok, target=1.0)
    assert "replace the `...`" in ch04.check_threshold(..., confs, ok, 1.0).message
    assert "below the target" in ch04.check_threshold(0.6, confs, ok, 1.0).message
    assert "lower threshold" in ch04.check_threshold(0.9, confs, ok, 1.0).message
    assert "coverage 0" in ch04.check_threshold(0.99, confs, ok, 1.0).message
    assert "not a probability" in ch04.check_threshold(3, confs, ok, 1.0).message
    assert "too high" in ch04.check_threshold(0.5, confs, [False] * 6, 1.0).message


def test_sliding_windows_reference():
    assert ch04.sliding_windows(range(10), 4, 1) == [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    assert ch04.sliding_windows(range(3), 5, 2) == [[0, 1, 2]]
    with pytest.raises(ValueError):
        ch04.sliding_windows(range(3), 4, 4)


def test_check_windows():
    assert ch04.check_windows(ch04.sliding_windows)
    assert "replace the `...`" in ch04.check_windows(...).message
    assert "function itself" in ch04.check_windows([[0, 1]]).message

    def stub(ids, size, stride): ...

    assert "replace the `...` with the body" in ch04.check_windows(stub).message

    def no_overlap(ids, size, stride):
        return [ids[i : i + size] for i in range(0, len(ids), size)]

    assert "must share" in ch04.check_windows(no_overlap).message

    def too_long(ids, size, stride):
        return [ids]

    assert "longer than" in ch04.check_windows(too_long).message

    def drops_tail(ids, size, stride):
        return ch04.sliding_windows(ids, size, stride)[:1]

    assert "in no window" in ch04.check_windows(drops_tail).message

    def crashes(ids, size, stride):
        raise IndexError("boom")

    assert "IndexError: boom" in ch04.check_windows(crashes).message


def test_check_windows_reads_tensors_and_tuples_and_explains_other_results():
    def as_tensors(ids, size, stride):
        return [torch.tensor(w) for w in ch04.sliding_windows(ids, size, stride)]

    assert ch04.check_windows(as_tensors)
    assert ch04.check_windows(
        lambda ids, size, stride: tuple(map(tuple, ch04.sliding_windows(ids, size, stride)))
    )
    assert "a list of windows" in ch04.check_windows(lambda ids, size, stride: len(ids)).message
    assert "a list of windows" in ch04.check_windows(lambda ids, size, stride: ids).message


def test_check_threshold_takes_a_numpy_or_tensor_number_but_not_a_bool():
    confs, ok = [0.55, 0.6, 0.7, 0.8, 0.9, 0.95], [False, True, False, True, True, True]
    assert ch04.check_threshold(torch.tensor(0.8, dtype=torch.float64), confs, ok, target=1.0)
    assert ch04.check_threshold(np.float64(0.8), confs, ok, target=1.0)
    assert "one number" in ch04.check_threshold(True, confs, ok, 1.0).message
