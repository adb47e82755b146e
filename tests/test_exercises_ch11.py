import numpy as np
import torch
from torch import nn

from nlpcourse.exercises import ch11


def test_lora_parameters():
    right = 30 * (8 * (576 + 576) + 8 * (576 + 192))
    assert right == 460_800
    assert ch11.check_lora_parameters(right)
    assert ch11.check_lora_parameters(np.int64(right))
    assert ch11.check_lora_parameters(torch.tensor(right))
    assert "replace the `...`" in ch11.check_lora_parameters(...).message
    assert "one layer" in ch11.check_lora_parameters(right // 30).message
    assert "v_proj is smaller" in ch11.check_lora_parameters(30 * 2 * 8 * 1152).message
    assert "count both matrices" in ch11.check_lora_parameters(30 * 8 * (576 + 576)).message
    assert "count both matrices" in ch11.check_lora_parameters(30 * 8 * (576 + 192)).message
    assert "full weight matrices" in ch11.check_lora_parameters(30 * (576 * 576 + 576 * 192)).message
    assert "do not multiply" in ch11.check_lora_parameters(30 * 8 * (576 * 576 + 576 * 192)).message
    assert "each adapted projection" in ch11.check_lora_parameters(12_345).message
    assert "expected one number" in ch11.check_lora_parameters([right, 1]).message
    assert "expected one number" in ch11.check_lora_parameters("460800").message


def _merge(weight, a, b, alpha, r):
    return weight + (alpha / r) * b @ a


def test_merge_lora_accepts_right_functions():
    assert ch11.check_merge_lora(_merge)
    assert ch11.check_merge_lora(lambda w, a, b, alpha, r: w + alpha / r * torch.matmul(b, a))
    assert ch11.check_merge_lora(lambda w, a, b, alpha, r: (w + (alpha / r) * b @ a).numpy())


def test_merge_lora_explains_mistakes():
    assert "replace the `...`" in ch11.check_merge_lora(...).message
    assert "expected a function" in ch11.check_merge_lora(3).message
    assert "scaled by alpha / r" in ch11.check_merge_lora(lambda w, a, b, alpha, r: w + b @ a).message
    inverted = ch11.check_merge_lora(lambda w, a, b, alpha, r: w + r / alpha * b @ a)
    assert "alpha divided by r" in inverted.message
    multiplied = ch11.check_merge_lora(lambda w, a, b, alpha, r: w + alpha * r * b @ a)
    assert "alpha divided by r" in multiplied.message
    assert "the update alone" in ch11.check_merge_lora(lambda w, a, b, alpha, r: alpha / r * b @ a).message
    assert "raised RuntimeError" in ch11.check_merge_lora(lambda w, a, b, alpha, r: w + a @ b).message
    assert "W's shape" in ch11.check_merge_lora(lambda w, a, b, alpha, r: w.T).message
    assert "return it" in ch11.check_merge_lora(lambda w, a, b, alpha, r: None).message
    assert "B A has W's shape" in ch11.check_merge_lora(lambda w, a, b, alpha, r: w * 2).message


def _targets(model):
    return sorted({name.split(".")[-1] for name, module in model.named_modules()
                   if isinstance(module, nn.Linear) and ("attention" in name or "self_attn" in name)})


def test_attention_targets_accepts_a_right_function():
    feedback = ch11.check_attention_targets(_targets)
    assert feedback, feedback.message


def test_attention_targets_explains_mistakes():
    def linear_names(model):
        return sorted({n.split(".")[-1] for n, m in model.named_modules() if isinstance(m, nn.Linear)})

    def full_paths(model):
        return sorted(n for n, m in model.named_modules()
                      if isinstance(m, nn.Linear) and ("attention" in n or "self_attn" in n))

    def with_duplicates(model):
        return [n.split(".")[-1] for n, m in model.named_modules()
                if isinstance(m, nn.Linear) and ("attention" in n or "self_attn" in n)]

    def unsorted(model):
        return list(reversed(_targets(model)))

    def query_value_only(model):
        return [n for n in _targets(model) if n[0] in "qv"]

    assert "replace the `...`" in ch11.check_attention_targets(...).message
    assert "expected a function" in ch11.check_attention_targets(["q_lin"]).message
    assert "feed-forward" in ch11.check_attention_targets(lambda m: [*_targets(m), "lin1"]).message
    assert "output heads" in ch11.check_attention_targets(lambda m: [*_targets(m), "classifier"]).message
    assert "feed-forward" in ch11.check_attention_targets(linear_names).message
    assert "short names" in ch11.check_attention_targets(full_paths).message
    assert "duplicates" in ch11.check_attention_targets(with_duplicates).message
    assert "return them sorted" in ch11.check_attention_targets(unsorted).message
    assert "lack ['k_lin', 'out_lin']" in ch11.check_attention_targets(query_value_only).message
    assert "list of strings" in ch11.check_attention_targets(lambda m: "q_lin").message
    assert "raised AttributeError" in ch11.check_attention_targets(lambda m: m.nothing).message


def test_attention_targets_tries_both_families():
    def distilbert_names(model):
        return ["k_lin", "out_lin", "q_lin", "v_lin"]

    assert "llama" in ch11.check_attention_targets(distilbert_names).message


def _mask(ids, n):
    return [-100] * n + list(ids[n:])


def test_mask_prompt():
    ids, n = ch11.MASK_EXAMPLE["input_ids"], ch11.MASK_EXAMPLE["prompt_length"]
    assert ch11.check_mask_prompt(_mask)
    assert ch11.check_mask_prompt(lambda i, k: torch.tensor(_mask(i, k)))
    assert "replace the `...`" in ch11.check_mask_prompt(...).message
    assert "expected a function" in ch11.check_mask_prompt([1, 2]).message
    assert "return them" in ch11.check_mask_prompt(lambda i, k: None).message
    assert "not 0" in ch11.check_mask_prompt(lambda i, k: [0] * k + i[k:]).message
    assert "other way round" in ch11.check_mask_prompt(lambda i, k: i[:k] + [-100] * (len(i) - k)).message
    assert "off by one" in ch11.check_mask_prompt(lambda i, k: [-100] * (k + 1) + i[k + 1:]).message
    assert "off by one" in ch11.check_mask_prompt(lambda i, k: [-100] * (k - 1) + i[k - 1:]).message
    assert "do not shift" in ch11.check_mask_prompt(lambda i, k: [-100] * k + i[k + 1:] + [-100]).message
    assert "do not shift" in ch11.check_mask_prompt(lambda i, k: [-100] * k + i[k + 1:]).message
    assert "keep the prompt's positions" in ch11.check_mask_prompt(lambda i, k: i[k:]).message
    assert "as many entries" in ch11.check_mask_prompt(lambda i, k: [-100] * len(i) + [1]).message
    assert "list of integers" in ch11.check_mask_prompt(lambda i, k: "labels").message
    assert "expected -100 at positions" in ch11.check_mask_prompt(lambda i, k: [-100] * len(i)).message
    assert len(ids) > n
