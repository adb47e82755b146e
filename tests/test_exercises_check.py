"""The checkers' shared helper: calling the learner's code, plain values, tolerances, softmax."""

import math

import numpy as np
import pytest
import torch

from nlpcourse.exercises import Feedback
from nlpcourse.exercises._check import call, close, floats, number, plain, softmax


def test_call_returns_the_result_and_passes_the_arguments():
    assert call(lambda a, b: a - b, 5, 3, called="f(5, 3)", body="f") == 2


def test_call_reports_the_exception_its_message_and_the_input():
    def broken(xs):
        return xs[10]

    feedback = call(broken, [1, 2], called="f([1, 2])", body="f")
    assert isinstance(feedback, Feedback) and not feedback
    assert feedback.message == "f([1, 2]) raised IndexError: list index out of range"


def test_call_names_an_exception_without_a_message_without_a_dangling_colon():
    def stub(x):
        raise NotImplementedError

    assert call(stub, 1, called="f(1)", body="f").message == "f(1) raised NotImplementedError"


@pytest.mark.parametrize("stub", [lambda x: None, lambda x: ...])
def test_call_treats_a_stub_result_as_unanswered(stub):
    feedback = call(stub, 1, called="f(1)", body="the body of `f`")
    assert not feedback
    assert feedback.message == "replace the `...` with the body of `f`, then run the cell again."


def test_call_lets_falsy_results_through():
    assert call(lambda: 0, called="f()", body="f") == 0
    assert call(lambda: [], called="f()", body="f") == []


def test_call_without_a_body_lets_none_through_but_still_reports_exceptions():
    assert call(lambda: None, called="f()", body=None) is None
    assert (
        call(lambda: 1 / 0, called="f()", body=None).message
        == "f() raised ZeroDivisionError: division by zero"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (torch.tensor([[1, 0], [0, 1]]), [[1, 0], [0, 1]]),
        (torch.tensor([0.5, 1.5], requires_grad=True) * 2, [1.0, 3.0]),
        (torch.tensor(2.5, dtype=torch.bfloat16), 2.5),
        (np.array([[1.5], [2.5]]), [[1.5], [2.5]]),
        (np.float32(0.25), 0.25),
        (np.int64(7), 7),
        ((1, (2, np.int64(3)), [torch.tensor(4)]), [1, [2, 3], [4]]),
        (range(3), [0, 1, 2]),
        ("text", "text"),
        ({"a": [1]}, {"a": [1]}),
        (None, None),
    ],
)
def test_plain_makes_python_values(value, expected):
    got = plain(value)
    assert got == expected
    assert type(got) is type(expected)


def test_plain_leaves_no_numpy_or_torch_type_inside():
    got = plain([np.float64(1.0), (torch.tensor([2]), np.array([3]))])
    assert got == [1.0, [[2], [3]]]
    assert [type(got[0]), type(got[1][0][0]), type(got[1][1][0])] == [float, int, int]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (torch.tensor([[1.0, 2.0], [3.0, 4.0]]), [1.0, 2.0, 3.0, 4.0]),
        ([[1, 2], (3,)], [1.0, 2.0, 3.0]),
        (np.array([0.5, 0.25]), [0.5, 0.25]),
        (3, [3.0]),
        (torch.tensor(0.5), [0.5]),
    ],
)
def test_floats_flattens_to_floats(value, expected):
    got = floats(value)
    assert got == expected and all(type(x) is float for x in got)


@pytest.mark.parametrize("value", ["abc", [1.0, "x"], [1.0, None], {"a": 1}])
def test_floats_rejects_what_is_not_numbers(value):
    with pytest.raises((TypeError, ValueError)):
        floats(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.5, 0.5), (3, 3.0), (np.float32(0.25), 0.25), (torch.tensor([[0.75]]), 0.75), (np.array([2]), 2.0)],
)
def test_number_reads_one_number(value, expected):
    assert number(value) == expected


@pytest.mark.parametrize(
    "value", [True, np.bool_(False), torch.tensor([0.5, 0.5]), np.array([1.0, 2.0]), [0.5], (1, 2), "x", None]
)
def test_number_is_none_for_anything_but_one_number(value):
    assert number(value) is None


def test_close_uses_the_absolute_tolerance_and_the_lengths():
    assert close([1.0, 2.0], [1.0009, 1.9991], abs_tol=1e-3)
    assert not close([1.0, 2.0], [1.002, 2.0], abs_tol=1e-3)
    assert not close([1.0], [1.0, 2.0], abs_tol=1e-3)
    assert not close([math.nan], [math.nan], abs_tol=1e-3)
    assert close([1e6], [1e6 + 0.5], abs_tol=1.0) and not close([1e6], [1e6 + 2], abs_tol=1.0)


def test_softmax_matches_torch_and_is_stable():
    logits = [2.0, -1.0, 0.5]
    assert softmax(logits) == pytest.approx(torch.tensor(logits).softmax(-1).tolist(), abs=1e-6)
    assert softmax(torch.tensor([1000.0, 1000.0])) == pytest.approx([0.5, 0.5])
    assert softmax([-1000.0, 0.0]) == pytest.approx([0.0, 1.0])
