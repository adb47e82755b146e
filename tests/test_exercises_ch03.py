"""Checkers of notebook 03 accept right answers and explain wrong ones."""

from __future__ import annotations

import pytest

from nlpcourse.exercises import ch03

LABELS = ["NEGATIVE", "POSITIVE"]
T5_PARAMS = {
    "summarization": {"prefix": "summarize: "},
    "translation_en_to_de": {"prefix": "translate English to German: "},
    "translation_en_to_fr": {"prefix": "translate English to French: "},
}


def test_all_scores():
    right = [{"label": "POSITIVE", "score": 0.9}, {"label": "NEGATIVE", "score": 0.1}]
    assert ch03.check_all_scores(right, LABELS)
    assert "replace the `...`" in ch03.check_all_scores(..., LABELS).message
    assert "top_k=None" in ch03.check_all_scores(right[:1], LABELS).message
    assert "list of sentences" in ch03.check_all_scores([right], LABELS).message
    bad_sum = [{"label": "POSITIVE", "score": 0.9}, {"label": "NEGATIVE", "score": 0.5}]
    assert "add up to 1.4000" in ch03.check_all_scores(bad_sum, LABELS).message
    other = [{"label": "LABEL_0", "score": 0.5}, {"label": "LABEL_1", "score": 0.5}]
    assert "this model's labels" in ch03.check_all_scores(other, LABELS).message
    assert "expected a list" in ch03.check_all_scores("POSITIVE", LABELS).message


def test_mask_sentence():
    assert ch03.check_mask_sentence("The course is <mask>.", "<mask>")
    assert ch03.check_mask_sentence("The course is [MASK].", "[MASK]")
    assert "another model family" in ch03.check_mask_sentence("The course is [MASK].", "<mask>").message
    assert "no '<mask>'" in ch03.check_mask_sentence("The course is good.", "<mask>").message
    assert "2 masks" in ch03.check_mask_sentence("<mask> is <mask>.", "<mask>").message
    assert "only the mask" in ch03.check_mask_sentence(" <mask> ", "<mask>").message
    assert "replace the `...`" in ch03.check_mask_sentence(None, "<mask>").message


def test_greedy_kwargs():
    assert ch03.check_greedy_kwargs({"max_new_tokens": 20, "do_sample": False})
    assert "counts the prompt" in ch03.check_greedy_kwargs({"max_length": 20, "do_sample": False}).message
    assert "should be 20" in ch03.check_greedy_kwargs({"max_new_tokens": 30, "do_sample": False}).message
    assert "explicitly" in ch03.check_greedy_kwargs({"max_new_tokens": 20}).message
    assert "at random" in ch03.check_greedy_kwargs({"max_new_tokens": 20, "do_sample": True}).message
    beams = {"max_new_tokens": 20, "do_sample": False, "num_beams": 4}
    assert "beam search" in ch03.check_greedy_kwargs(beams).message
    temp = {"max_new_tokens": 20, "do_sample": False, "temperature": 0.7}
    assert "temperature only matter" in ch03.check_greedy_kwargs(temp).message
    assert "expected a dict" in ch03.check_greedy_kwargs([20]).message


def test_t5_input():
    s = "The film was wonderful."
    assert ch03.check_t5_input("translate English to French: " + s, s, T5_PARAMS)
    assert "without one" in ch03.check_t5_input(s, s, T5_PARAMS).message
    german = "translate English to German: " + s
    assert "translation_en_to_de" in ch03.check_t5_input(german, s, T5_PARAMS).message
    assert "with its spacing" in ch03.check_t5_input("translate English to French:" + s, s, T5_PARAMS).message
    no_sentence = "translate English to French: hi"
    assert "sentence itself is missing" in ch03.check_t5_input(no_sentence, s, T5_PARAMS).message
    assert "exactly" in ch03.check_t5_input("to French please: " + s, s, T5_PARAMS).message
    assert "replace the `...`" in ch03.check_t5_input(..., s, T5_PARAMS).message


def _top_p(probs, p):
    order = sorted(range(len(probs)), key=lambda i: -probs[i])
    kept, total = [], 0.0
    for i in order:
        kept.append(i)
        total += probs[i]
        if total >= p:
            break
    return kept


def test_top_p_right_answer_and_a_tensor_result():
    torch = pytest.importorskip("torch")
    assert ch03.check_top_p(_top_p)
    assert ch03.check_top_p(lambda probs, p: torch.tensor(_top_p(probs, p)))


def test_top_p_mistakes_are_explained():
    def keeps_one_too_many(probs, p):
        kept = _top_p(probs, p)
        rest = [i for i in sorted(range(len(probs)), key=lambda i: -probs[i]) if i not in kept]
        return kept + rest[:1]

    def assumes_sorted(probs, p):
        kept, total = [], 0.0
        for i, q in enumerate(probs):
            kept.append(i)
            total += q
            if total >= p:
                break
        return kept

    def strictly_below(probs, p):
        order = sorted(range(len(probs)), key=lambda i: -probs[i])
        kept, total = [], 0.0
        for i in order:
            if total + probs[i] > p:
                break
            kept.append(i)
            total += probs[i]
        return kept

    assert "stop at the first token" in ch03.check_top_p(keeps_one_too_many).message
    assert "not sorted" in ch03.check_top_p(assumes_sorted).message
    assert "covering only" in ch03.check_top_p(strictly_below).message
    assert "raised ZeroDivisionError" in ch03.check_top_p(lambda probs, p: 1 / 0).message
    assert "expected a function" in ch03.check_top_p([0]).message
    assert "replace the `...`" in ch03.check_top_p(...).message


def test_top_p_stub_and_odd_results_are_explained():
    def stub(probs, p): ...

    assert "replace the `...` with the body of `top_p_ids`" in ch03.check_top_p(stub).message
    assert "return a list of token ids" in ch03.check_top_p(lambda probs, p: ["a"]).message
    assert "return a list of token ids" in ch03.check_top_p(lambda probs, p: [float("inf")]).message
    assert ch03.check_top_p(lambda probs, p: set(_top_p(probs, p)))
