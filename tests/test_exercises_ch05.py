"""Chapter 05 checkers accept right answers and explain wrong ones."""

from __future__ import annotations

import math

import pytest
import torch

from nlpcourse.exercises.ch05 import (
    BERT_BASE_LAYER_PARAMS,
    check_attention_weights,
    check_bert_layer_params,
    check_causal_mask,
    check_gpt2_param_count,
    gpt2_params,
)


def test_attention_weights():
    right = torch.softmax(torch.tensor([1.0, 1.0, 2.0]) / math.sqrt(2), dim=0)
    assert check_attention_weights(right)
    assert check_attention_weights(right.tolist())
    assert "replace the `...`" in check_attention_weights(...).message
    assert "sqrt(d_k)" in check_attention_weights(torch.softmax(torch.tensor([1.0, 1.0, 2.0]), 0)).message
    assert (
        "divided the scores by d_k"
        in check_attention_weights(torch.softmax(torch.tensor([0.5, 0.5, 1.0]), 0)).message
    )
    assert "raw scores" in check_attention_weights([1, 1, 2]).message
    assert "one weight per key" in check_attention_weights([0.5, 0.5]).message
    assert "sum to 1" in check_attention_weights([0.2, 0.2, 0.2]).message
    assert "not softmax" in check_attention_weights([0.1, 0.1, 0.8]).message
    assert "three numbers" in check_attention_weights("abc").message


def test_attention_weights_read_one_row_the_same_from_a_tensor_or_a_list():
    right = torch.softmax(torch.tensor([[1.0, 1.0, 2.0]]) / math.sqrt(2), dim=-1)
    assert check_attention_weights(right) and check_attention_weights(right.tolist())
    assert check_attention_weights(right.numpy())


def test_causal_mask():
    right = torch.full((5, 5), float("-inf")).triu(diagonal=1)
    assert check_causal_mask(right)
    assert "replace the `...`" in check_causal_mask(...).message
    assert "block the future" in check_causal_mask(right.T.contiguous()).message
    assert "diagonal is blocked" in check_causal_mask(torch.full((5, 5), float("-inf")).triu()).message
    assert "shape (5, 5)" in check_causal_mask(torch.full((4, 4), float("-inf")).triu(1)).message
    assert "boolean" in check_causal_mask(torch.ones(5, 5, dtype=torch.bool).triu(1)).message
    assert "float('-inf') exactly" in check_causal_mask(torch.full((5, 5), -1e9).triu(1)).message
    assert "exactly 0" in check_causal_mask(right + torch.ones(5, 5).tril()).message
    assert "torch tensor" in check_causal_mask([[0.0] * 5] * 5).message
    assert "above the diagonal" in check_causal_mask(torch.zeros(5, 5)).message


def test_bert_layer_params_matches_the_library():
    from transformers import BertConfig
    from transformers.models.bert.modeling_bert import BertLayer

    counted = sum(p.numel() for p in BertLayer(BertConfig()).parameters())
    assert counted == BERT_BASE_LAYER_PARAMS == 7_087_872
    assert check_bert_layer_params(counted)
    assert check_bert_layer_params(float(counted))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (7_087_872 - 4 * 768, "both LayerNorms"),
        (7_087_872 - 2 * 768, "one LayerNorm"),
        (7_087_872 - (4 * 768 + 3072 + 768), "biases are missing"),
        (7_087_872 - (768 * 768 + 768), "one of the four attention projections"),
        (7_087_872 - (768 * 3072 + 3072), "two linear layers"),
        (12 * 7_087_872, "all 12 layers"),
        (5, "off by"),
        ("seven million", "whole number"),
    ],
)
def test_bert_layer_params_explains(answer, message):
    feedback = check_bert_layer_params(answer)
    assert not feedback and message in feedback.message
    assert "replace the `...`" in check_bert_layer_params(...).message


def test_gpt2_formula_matches_built_models():
    from transformers import GPT2Config, GPT2Model

    for layers, width, heads in ((1, 32, 2), (2, 64, 4)):
        model = GPT2Model(
            GPT2Config(n_layer=layers, n_embd=width, n_head=heads, vocab_size=1000, n_positions=128)
        )
        assert gpt2_params(layers, width, 1000, 128) == sum(p.numel() for p in model.parameters())
    assert gpt2_params(12, 768) == 124_439_808


def test_gpt2_param_count_checker():
    assert check_gpt2_param_count(gpt2_params)
    assert "replace the `...`" in check_gpt2_param_count(...).message

    def stub(n_layer, n_embd, vocab_size, n_positions): ...

    assert "body of gpt2_param_count" in check_gpt2_param_count(stub).message
    untied = check_gpt2_param_count(lambda L, d, V, P: gpt2_params(L, d, V, P) + V * d)
    assert "tied" in untied.message and "GPT-2 small" in untied.message
    assert "ln_f" in check_gpt2_param_count(lambda L, d, V, P: gpt2_params(L, d, V, P) - 2 * d).message
    assert (
        "position embeddings"
        in check_gpt2_param_count(lambda L, d, V, P: gpt2_params(L, d, V, P) - P * d).message
    )
    assert "biases" in check_gpt2_param_count(lambda L, d, V, P: gpt2_params(L, d, V, P) - 9 * L * d).message
    assert (
        "LayerNorms inside"
        in check_gpt2_param_count(lambda L, d, V, P: gpt2_params(L, d, V, P) - 4 * L * d).message
    )
    assert "whole number" in check_gpt2_param_count(lambda L, d, V, P: 1.5).message
    assert "raised ZeroDivisionError" in check_gpt2_param_count(lambda L, d, V, P: 1 / 0).message
    assert "expected a function" in check_gpt2_param_count(124_439_808).message
    # right for small only: the checker names the size that is off
    only_small = check_gpt2_param_count(lambda L, d, V, P: 124_439_808)
    assert "GPT-2 medium" in only_small.message
