"""Tokenizers for the tiny stand-ins, trained with the `tokenizers` library on the course corpus.

Each function returns the transformers tokenizer class the real checkpoint loads as, with the real
special tokens, at the real ids where that is cheap to reproduce.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import (
    BertTokenizer,
    GPT2Tokenizer,
    PreTrainedTokenizerBase,
    RobertaTokenizer,
    T5Tokenizer,
    XLNetTokenizer,
)

BYTE_ALPHABET = pre_tokenizers.ByteLevel.alphabet()
ASCII_ALPHABET = [chr(c) for c in range(33, 127)]


def _byte_bpe(
    texts: Sequence[str], vocab_size: int, specials: list[str]
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Train a byte-level BPE; ``specials`` get ids 0.. in order."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials, initial_alphabet=BYTE_ALPHABET, show_progress=False
    )
    tok.train_from_iterator(texts, trainer)
    merges = json.loads(tok.model.__getstate__())["merges"]
    return tok.get_vocab(), [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in merges]


def gpt2(texts: Sequence[str], vocab_size: int = 6000) -> PreTrainedTokenizerBase:
    """GPT-2: byte-level BPE, ``<|endoftext|>`` (last id) as bos/eos/unk, no pad token."""
    vocab, merges = _byte_bpe(texts, vocab_size - 1, [])
    vocab["<|endoftext|>"] = len(vocab)
    return GPT2Tokenizer(vocab=vocab, merges=merges, model_max_length=1024)


def roberta(
    texts: Sequence[str], vocab_size: int = 6000, model_max_length: int = 512
) -> PreTrainedTokenizerBase:
    """RoBERTa/BART: byte-level BPE, <s>=0 <pad>=1 </s>=2 <unk>=3, <mask> last."""
    vocab, merges = _byte_bpe(texts, vocab_size - 1, ["<s>", "<pad>", "</s>", "<unk>"])
    vocab["<mask>"] = len(vocab)
    return RobertaTokenizer(vocab=vocab, merges=merges, model_max_length=model_max_length)


def wordpiece_cased(texts: Sequence[str], vocab_size: int = 6000) -> PreTrainedTokenizerBase:
    """Cased BERT family: [PAD]=0, [unused1-99], [UNK]=100, [CLS]=101, [SEP]=102, [MASK]=103.

    The vocabulary is every ASCII character (alone and as ``##`` continuation), then the corpus's words,
    word-initial prefixes and ``##`` suffixes ranked by frequency times length. (Built here rather
    than with ``WordPieceTrainer``, whose result changes from run to run.)
    """
    head = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 100)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    split = pre_tokenizers.BertPreTokenizer()
    words = Counter(w for text in texts for w, _ in split.pre_tokenize_str(text))
    pieces: Counter[str] = Counter()
    for word, count in words.items():
        pieces[word] += count
        for k in range(1, len(word)):
            pieces[word[:k]] += count
            pieces["##" + word[k:]] += count
    vocab = {piece: i for i, piece in enumerate(head)}
    for piece in ASCII_ALPHABET + ["##" + c for c in ASCII_ALPHABET]:
        vocab.setdefault(piece, len(vocab))
    ranked = sorted(pieces.items(), key=lambda item: (-item[1] * len(item[0].lstrip("#")), item[0]))
    for piece, _ in ranked:
        if len(vocab) >= vocab_size:
            break
        vocab.setdefault(piece, len(vocab))
    return BertTokenizer(vocab=vocab, do_lower_case=False, model_max_length=512)


def _unigram(texts: Sequence[str], vocab_size: int, specials: list[str], unk: str) -> list[tuple[str, float]]:
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=specials, unk_token=unk, initial_alphabet=ASCII_ALPHABET,
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    # The trainer's output varies from run to run in the last bits of the scores, in the order of equal
    # scores, and in the scores it gives the rare characters it appends: round, even out, sort.
    trained = [(p, round(float(s), 6)) for p, s in json.loads(tok.model.__getstate__())["vocab"]]
    rest = trained[len(specials) :]
    floor = min(s for p, s in rest if len(p.lstrip("▁")) > 1)
    rest = [(p, s if s >= floor else round(floor - 1.0, 6)) for p, s in rest]
    return trained[: len(specials)] + sorted(rest, key=lambda item: (-item[1], item[0]))


def t5(texts: Sequence[str], vocab_size: int = 4000) -> PreTrainedTokenizerBase:
    """T5: Unigram, <pad>=0 </s>=1 <unk>=2, 100 <extra_id_N> sentinels at the end (reversed)."""
    pieces = _unigram(texts, vocab_size, ["<pad>", "</s>", "<unk>"], "<unk>")
    pieces += [(f"<extra_id_{i}>", 0.0) for i in range(99, -1, -1)]
    return T5Tokenizer(vocab=pieces, extra_ids=100, model_max_length=512)


def xlnet(texts: Sequence[str], vocab_size: int = 4000) -> PreTrainedTokenizerBase:
    """XLNet: Unigram, <unk>=0 <s>=1 </s>=2 <cls>=3 <sep>=4 <pad>=5 <mask>=6 <eod>=7 <eop>=8."""
    specials = ["<unk>", "<s>", "</s>", "<cls>", "<sep>", "<pad>", "<mask>", "<eod>", "<eop>"]
    pieces = _unigram(texts, vocab_size, specials, "<unk>")
    return XLNetTokenizer(vocab=pieces, unk_id=0, padding_side="left")

