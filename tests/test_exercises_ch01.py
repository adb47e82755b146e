"""Checkers of notebook 01 accept right answers and explain wrong ones."""

from __future__ import annotations

import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

from nlpcourse.exercises import ch01

CORPUS = [
    "the cat sat on the mat and the dog sat on the log",
    "tokenizers turn text into numbers and numbers into text",
    "the soundtrack was better than the film and the actors",
] * 20


def _train(model: str = "bpe", vocab_size: int = 300) -> Tokenizer:
    if model == "bpe":
        tok = Tokenizer(models.BPE(unk_token="[UNK]"))
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size, special_tokens=["[UNK]", "[CLS]", "[SEP]", "[PAD]"]
        )
    else:
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        trainer = trainers.WordPieceTrainer(
            vocab_size=vocab_size, special_tokens=["[UNK]", "[CLS]", "[SEP]", "[PAD]"]
        )
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(CORPUS, trainer)
    return tok


@pytest.fixture(scope="module")
def hf_tokenizer() -> PreTrainedTokenizerFast:
    tok = _train("wordpiece")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]"
    )


def test_wordpiece_tokens():
    right = ["transformers", "are", "un", "##bel", "##ie", "##va", "##bly", "useful", "!"]
    assert ch01.check_wordpiece_tokens(right)
    assert "replace the `...`" in ch01.check_wordpiece_tokens(...).message
    assert "special tokens" in ch01.check_wordpiece_tokens(["[CLS]", *right, "[SEP]"]).message
    assert "lower-cases" in ch01.check_wordpiece_tokens(["Transformers", *right[1:]]).message
    words = ["transformers", "are", "unbelievably", "useful", "!"]
    assert "whole words" in ch01.check_wordpiece_tokens(words).message
    assert "you have 8 tokens" in ch01.check_wordpiece_tokens(right[:-1]).message
    off = ["transformers", "are", "unb", *right[3:]]
    assert "token 2 is 'unb'" in ch01.check_wordpiece_tokens(off).message
    assert "list of token strings" in ch01.check_wordpiece_tokens("transformers are").message


def test_attention_mask():
    import torch

    right = [[1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1]]
    assert ch01.check_attention_mask(right)
    assert ch01.check_attention_mask(torch.tensor(right))
    assert "not token ids" in ch01.check_attention_mask([[101, 7632, 999, 102, 0, 0, 0], [1] * 7]).message
    assert "*with* [CLS] and [SEP]" in ch01.check_attention_mask([[1, 1, 0, 0, 0], [1] * 5]).message
    assert "pads on the right" in ch01.check_attention_mask([[0, 0, 0, 1, 1, 1, 1], [1] * 7]).message
    assert "all 1s" in ch01.check_attention_mask([[1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 0]]).message
    assert "has 2 ones" in ch01.check_attention_mask([[1, 1, 0, 0, 0, 0, 0], [1] * 7]).message
    assert "two rows" in ch01.check_attention_mask([1, 1, 1]).message
    assert "replace the `...`" in ch01.check_attention_mask(...).message


def test_count_tokens(hf_tokenizer):
    def batched(texts, tokenizer):
        return [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]

    def with_specials(texts, tokenizer):
        return [len(ids) for ids in tokenizer(texts)["input_ids"]]

    def looped(texts, tokenizer):
        return [len(tokenizer.tokenize(t)) for t in texts]

    def broken(texts, tokenizer):
        raise RuntimeError("boom")

    assert ch01.check_count_tokens(batched, hf_tokenizer)
    assert "2 too high" in ch01.check_count_tokens(with_specials, hf_tokenizer).message
    assert "called the tokenizer 4 times" in ch01.check_count_tokens(looped, hf_tokenizer).message
    assert "raised RuntimeError: boom" in ch01.check_count_tokens(broken, hf_tokenizer).message
    assert "the counts are" in ch01.check_count_tokens(lambda t, k: [1, 1, 1, 1], hf_tokenizer).message
    assert "one count per text" in ch01.check_count_tokens(lambda t, k: 3, hf_tokenizer).message
    assert "expected a function" in ch01.check_count_tokens(3, hf_tokenizer).message
    assert "replace the `...`" in ch01.check_count_tokens(..., hf_tokenizer).message


def test_trained_tokenizer():
    assert ch01.check_trained_tokenizer(_train("bpe", 300))
    assert "WordPiece" in ch01.check_trained_tokenizer(_train("wordpiece", 300)).message
    big = Tokenizer(models.BPE(unk_token="[UNK]", vocab={f"t{i}": i for i in range(600)}, merges=[]))
    assert "vocab_size=500" in ch01.check_trained_tokenizer(big).message
    small = Tokenizer(models.BPE(unk_token="[UNK]", vocab={"[UNK]": 0, "a": 1}, merges=[]))
    assert "did the trainer see the corpus" in ch01.check_trained_tokenizer(small).message
    no_ws = Tokenizer(models.BPE(unk_token="[UNK]"))
    no_ws.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=150, special_tokens=["[UNK]"]))
    assert "are split" in ch01.check_trained_tokenizer(no_ws, words=("the cat",)).message
    assert "tokenizers.Tokenizer" in ch01.check_trained_tokenizer("bpe").message
    assert "replace the `...`" in ch01.check_trained_tokenizer(...).message


def test_count_tokens_stub_is_not_answered(hf_tokenizer):
    def stub(texts, tokenizer): ...

    assert "returns None so far" in ch01.check_count_tokens(stub, hf_tokenizer).message


def test_count_tokens_explains_token_lists_instead_of_raising(hf_tokenizer):
    def token_lists(texts, tokenizer):
        return [tokenizer.tokenize(t) for t in texts]

    feedback = ch01.check_count_tokens(token_lists, hf_tokenizer)
    assert not feedback and "one count per text" in feedback.message
    raised = ch01.check_count_tokens(lambda t, k: 1 / 0, hf_tokenizer).message
    assert raised.startswith("count_tokens(['Tokenizers turn") and "raised ZeroDivisionError" in raised
