import math

import numpy as np
import pytest

from nlpcourse.exercises import ch08

LOGITS = [2.0, 0.5, 1.0, -1.0]
TARGET = 2
TRAIN = [0, 1, 1, 2, 2, 2, 3, 0, 2, 1]
TEST = [2, 1, 4, 2, 0]


def cross_entropy(logits, target):
    return math.log(sum(math.exp(z) for z in logits)) - logits[target]


def unigram_ppl(train, test, vocab, smoothing=1, extra=None):
    counts = [train.count(i) + smoothing for i in range(vocab)]
    total = sum(counts) if extra is None else extra
    return math.exp(-sum(math.log(counts[i] / total) for i in test) / len(test))


def test_check_next_token_pairs():
    assert ch08.check_next_token_pairs(lambda ids: (ids[:-1], ids[1:]))
    assert ch08.check_next_token_pairs(lambda ids: (np.array(ids[:-1]), tuple(ids[1:])))
    assert "replace the `...`" in ch08.check_next_token_pairs(...).message

    def stub(ids):
        ...

    assert "replace the `...`" in ch08.check_next_token_pairs(stub).message
    assert "swapped" in ch08.check_next_token_pairs(lambda ids: (ids[1:], ids[:-1])).message
    assert "the same tokens" in ch08.check_next_token_pairs(lambda ids: (ids, ids)).message
    assert "exactly one target" in ch08.check_next_token_pairs(lambda ids: (ids, ids[1:])).message
    assert "should be inputs" in ch08.check_next_token_pairs(lambda ids: (ids[:-2], ids[2:])).message
    assert "a pair" in ch08.check_next_token_pairs(lambda ids: ids[1:]).message
    assert "raised ZeroDivisionError" in ch08.check_next_token_pairs(lambda ids: 1 / 0).message
    assert "a function" in ch08.check_next_token_pairs([1, 2]).message


def test_check_cross_entropy():
    right = cross_entropy(LOGITS, TARGET)
    assert ch08.check_cross_entropy(right, LOGITS, TARGET)
    assert ch08.check_cross_entropy(np.float32(right), np.array(LOGITS), TARGET)
    assert "replace the `...`" in ch08.check_cross_entropy(..., LOGITS, TARGET).message
    assert "sign is off" in ch08.check_cross_entropy(-right, LOGITS, TARGET).message
    assert "a probability" in ch08.check_cross_entropy(math.exp(-right), LOGITS, TARGET).message
    assert "in bits" in ch08.check_cross_entropy(right / math.log(2), LOGITS, TARGET).message
    favourite = cross_entropy(LOGITS, 0)
    assert "token 0, the model's favourite" in ch08.check_cross_entropy(favourite, LOGITS, TARGET).message
    assert "raw logit" in ch08.check_cross_entropy(-LOGITS[TARGET], LOGITS, TARGET).message
    assert "should be -ln" in ch08.check_cross_entropy(5.0, LOGITS, TARGET).message
    assert "one number" in ch08.check_cross_entropy([right], LOGITS, TARGET).message


def test_check_unigram_perplexity():
    right = unigram_ppl(TRAIN, TEST, 5)
    assert ch08.check_unigram_perplexity(right, TRAIN, TEST, 5)
    assert ch08.check_unigram_perplexity(np.float64(right), np.array(TRAIN), np.array(TEST), 5)
    assert "replace the `...`" in ch08.check_unigram_perplexity(..., TRAIN, TEST, 5).message
    assert "without smoothing" in ch08.check_unigram_perplexity(math.inf, TRAIN, TEST, 5).message
    assert "exp of it" in ch08.check_unigram_perplexity(math.log(right), TRAIN, TEST, 5).message
    assert "bases are mixed" in ch08.check_unigram_perplexity(2 ** math.log(right), TRAIN, TEST, 5).message
    assert "uniform guess" in ch08.check_unigram_perplexity(5, TRAIN, TEST, 5).message
    on_train = unigram_ppl(TRAIN, TRAIN, 5)
    assert "training ids" in ch08.check_unigram_perplexity(on_train, TRAIN, TEST, 5).message
    bad_total = unigram_ppl(TRAIN, TEST, 5, extra=len(TRAIN))
    assert "grows by the vocabulary size" in ch08.check_unigram_perplexity(bad_total, TRAIN, TEST, 5).message
    assert "expected exp" in ch08.check_unigram_perplexity(3.0, TRAIN, TEST, 5).message


@pytest.fixture(scope="module")
def config():
    from transformers import GPT2Config

    return GPT2Config(vocab_size=100, n_positions=64, n_embd=32, n_layer=3, n_head=4)


def test_check_context_params(config):
    right = (256 - 64) * 32
    assert ch08.check_context_params(right, config, 256)
    assert ch08.check_context_params(np.int64(right), config, 256)
    assert "replace the `...`" in ch08.check_context_params(..., config, 256).message
    assert "learns* its position" in ch08.check_context_params(0, config, 256).message
    assert "whole new position table" in ch08.check_context_params(256 * 32, config, 256).message
    assert "activations" in ch08.check_context_params(256**2 - 64**2, config, 256).message
    assert "once, at the input" in ch08.check_context_params(right * 3, config, 256).message
    assert "sign is off" in ch08.check_context_params(-right, config, 256).message
    assert "count what depends" in ch08.check_context_params(12345, config, 256).message
    assert "one number" in ch08.check_context_params("many", config, 256).message


def test_lr_trials_span_converging_and_diverging_runs():
    first, last = ch08.LEARNING_RATES[0], ch08.LEARNING_RATES[-1]
    assert list(ch08.LEARNING_RATES) == sorted(ch08.LEARNING_RATES)
    assert not ch08.diverged(ch08.lr_trial(first))
    assert ch08.diverged(ch08.lr_trial(last))
    assert ch08.lr_trial(1e-2) == ch08.lr_trial(1e-2)  # seeded: the same run twice
    assert ch08.diverged([2.0, float("nan")]) and not ch08.diverged([2.0, 1.0])


def test_check_diverging_lr():
    outcome = [ch08.diverged(ch08.lr_trial(lr)) for lr in ch08.LEARNING_RATES]
    index = outcome.index(True)
    right = ch08.LEARNING_RATES[index]
    assert ch08.check_diverging_lr(right)
    assert "replace the `...`" in ch08.check_diverging_lr(...).message
    assert "not among them" in ch08.check_diverging_lr(0.5).message
    assert "one learning rate" in ch08.check_diverging_lr([0.1, 1.0]).message
    if index > 0:
        assert "converges" in ch08.check_diverging_lr(ch08.LEARNING_RATES[index - 1]).message
    if index < len(ch08.LEARNING_RATES) - 1:
        assert "find the smallest" in ch08.check_diverging_lr(ch08.LEARNING_RATES[index + 1]).message


@pytest.mark.parametrize("answer", [None, ...])
def test_unanswered_never_raises(answer, config):
    for feedback in (
        ch08.check_next_token_pairs(answer),
        ch08.check_cross_entropy(answer, LOGITS, TARGET),
        ch08.check_unigram_perplexity(answer, TRAIN, TEST, 5),
        ch08.check_context_params(answer, config, 128),
        ch08.check_diverging_lr(answer),
    ):
        assert not feedback and "replace the `...`" in feedback.message
