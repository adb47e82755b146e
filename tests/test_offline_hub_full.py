"""The real-size tier's inputs: the registry's real configurations, and the cheap parts of its build.

The tier itself (about 8 GB, minutes to build) is built by ``make hub-full`` and used by ``make bench``,
not by the test run.
"""

from __future__ import annotations

import pytest
import torch
import transformers

from nlpcourse.registry import CHECKPOINTS, REAL_CONFIGS
from tests.offline_hub import full

#: Parameter counts the model cards and papers publish, in millions (rounded as they round them).
PUBLISHED_M = {
    "bert-base-uncased": 110,  # BERT paper, BERT-base
    "distilbert/distilbert-base-uncased": 66,  # model card
    "distilbert/distilbert-base-uncased-finetuned-sst-2-english": 67,  # model card
    "distilbert/distilbert-base-cased": 65,  # model card
    "sentence-transformers/all-MiniLM-L6-v2": 22.7,  # model card
    "xlnet/xlnet-base-cased": 110,  # transformers' pretrained-models table
    "openai-community/gpt2": 124,  # model card
    "HuggingFaceTB/SmolLM2-135M": 135,  # the name
    "HuggingFaceTB/SmolLM2-135M-Instruct": 135,  # the name: the base model instruction-tuned
    "distilbert/distilroberta-base": 82,  # model card
    "dbmdz/bert-large-cased-finetuned-conll03-english": 335,  # BERT-large cased
    "dslim/bert-base-NER": 110,  # model card (bert-base-cased)
    "facebook/bart-large-mnli": 407,  # model card
    "typeform/distilbert-base-uncased-mnli": 67,  # DistilBERT-base with a 3-way head
    "google-t5/t5-small": 60,  # model card
    "distilbert/distilbert-base-cased-distilled-squad": 65,  # model card
    "facebook/roberta-hate-speech-dynabench-r4-target": 125,  # RoBERTa-base
    "sasha/regardv3": 110,  # BERT-base
}
TOLERANCE = 0.10
#: Bytes per weight in the Hub's weight file (float32 unless named) and what else the file holds.
FILE_BYTES = {"HuggingFaceTB/SmolLM2-135M": 2, "HuggingFaceTB/SmolLM2-135M-Instruct": 2}  # bfloat16
FILE_EXTRA_MB = {"openai-community/gpt2": 12 * 1024 * 1024 * 4 / 1e6}  # each layer's saved causal mask


def real_model(ckpt):
    """The registered class at the real configuration, on the meta device (shapes, no memory)."""
    config = transformers.AutoConfig.for_model(**REAL_CONFIGS[ckpt.id])
    with torch.device("meta"):
        return config, getattr(transformers, ckpt.model_class)(config)


def test_every_checkpoint_has_a_real_configuration_and_a_published_size():
    ids = {c.id for c in CHECKPOINTS}
    assert set(REAL_CONFIGS) == ids, f"REAL_CONFIGS differs from the registry: {set(REAL_CONFIGS) ^ ids}"
    assert set(PUBLISHED_M) == ids, f"add the published parameter count of {ids - set(PUBLISHED_M)}"


@pytest.mark.parametrize("ckpt", CHECKPOINTS, ids=[c.id for c in CHECKPOINTS])
def test_real_configuration_builds_with_the_registered_class_at_the_published_size(ckpt):
    config, model = real_model(ckpt)
    for key, value in REAL_CONFIGS[ckpt.id].items():
        if key != "model_type":
            assert config.to_dict()[key] == value, f"{ckpt.id}: config {key} is not {value}"
    n = sum(p.numel() for p in model.parameters()) / 1e6
    published = PUBLISHED_M[ckpt.id]
    assert abs(n - published) <= TOLERANCE * published, (
        f"{ckpt.id}: {ckpt.model_class} of the real configuration has {n:.1f} M parameters, "
        f"published {published} M"
    )


@pytest.mark.parametrize("ckpt", CHECKPOINTS, ids=[c.id for c in CHECKPOINTS])
def test_real_configuration_matches_the_hub_weight_file_size(ckpt):
    """A second, independent check: the registry's ``weights_mb`` (the Hub's file size) is the real
    configuration's parameter count times the bytes per weight, within 1 %."""
    model = real_model(ckpt)[1]
    n = sum(p.numel() for p in model.parameters())
    mb = n * FILE_BYTES.get(ckpt.id, 4) / 1e6 + FILE_EXTRA_MB.get(ckpt.id, 0)
    assert abs(mb - ckpt.weights_mb) <= 0.01 * ckpt.weights_mb, (
        f"{ckpt.id}: the real configuration gives {mb:.0f} MB of weights; the Hub's file {ckpt.weights_mb} MB"
    )


def test_real_config_keeps_labels_and_token_ids_and_takes_the_shapes():
    small = {"model_type": "gpt2", "n_embd": 128, "n_layer": 2, "vocab_size": 4000, "eos_token_id": 3999,
             "architectures": ["GPT2LMHeadModel"]}
    real = {"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "vocab_size": 50257}
    merged, notes = full.real_config(small, real, tokenizer_size=4000)
    assert merged == {**small, "n_embd": 768, "n_layer": 12, "vocab_size": 50257} and notes == []


def test_real_config_grows_the_vocabulary_to_the_tokenizers_ids_and_says_so():
    small = {"model_type": "bert", "hidden_size": 384, "vocab_size": 30522}
    real = {"model_type": "bert", "hidden_size": 1024, "vocab_size": 28996}
    merged, notes = full.real_config(small, real, tokenizer_size=30522)
    assert merged["vocab_size"] == 30522 and merged["hidden_size"] == 1024
    assert notes == ["vocabulary 30,522 (the stand-in tokenizer's ids; the real one has 28,996)"]


def test_real_config_refuses_another_model_type():
    with pytest.raises(ValueError, match="model type 'bert' is not the real 'roberta'"):
        full.real_config({"model_type": "bert"}, {"model_type": "roberta", "vocab_size": 1}, 1)


def test_same_shape_only_when_every_real_value_matches():
    real = {"model_type": "bert", "hidden_size": 384, "num_hidden_layers": 6}
    assert full.same_shape({**real, "id2label": {0: "a"}}, real)
    assert not full.same_shape({**real, "num_hidden_layers": 12}, real)


def test_inputs_hash_follows_the_small_tier(tmp_path):
    (tmp_path / ".stamp").write_text("a\n")
    first = full.inputs_hash(tmp_path)
    assert full.inputs_hash(tmp_path) == first
    (tmp_path / ".stamp").write_text("b\n")
    assert full.inputs_hash(tmp_path) != first
