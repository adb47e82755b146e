import pytest

from nlpcourse.exercises import ch10

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
datasets = pytest.importorskip("datasets")

DEFAULT_SYSTEM = ("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
                  "<|im_end|>\n")
CHATML = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '" + DEFAULT_SYSTEM.replace("\n", "\\n") + "' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
REAL_CONFIG = {"num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3,
               "hidden_size": 576, "head_dim": 64}
INSTRUCTION = "Is the sentiment of this review positive or negative?"


@pytest.fixture(scope="module")
def tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers

    backend = Tokenizer(models.WordLevel({"<unk>": 0}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = transformers.PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>")
    tok.chat_template = CHATML
    return tok


def right_prompt(messages):
    text = "" if messages[0]["role"] == "system" else DEFAULT_SYSTEM
    text += "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return text + "<|im_start|>assistant\n"


def test_check_chat_prompt(tokenizer):
    assert ch10.check_chat_prompt(right_prompt, tokenizer)
    assert "replace the `...`" in ch10.check_chat_prompt(..., tokenizer).message
    assert "replace the `...`" in ch10.check_chat_prompt(lambda messages: ..., tokenizer).message
    assert "a function" in ch10.check_chat_prompt("<|im_start|>", tokenizer).message
    assert "must return a string" in ch10.check_chat_prompt(lambda m: ["x"], tokenizer).message
    assert "raised KeyError" in ch10.check_chat_prompt(lambda m: m[0]["text"], tokenizer).message

    def no_default_system(messages):
        return right_prompt(messages).removeprefix(DEFAULT_SYSTEM)

    assert "default system prompt" in ch10.check_chat_prompt(no_default_system, tokenizer).message

    def always_default_system(messages):
        return DEFAULT_SYSTEM + right_prompt(messages).removeprefix(DEFAULT_SYSTEM)

    assert "must not be added" in ch10.check_chat_prompt(always_default_system, tokenizer).message

    def no_generation_prompt(messages):
        return right_prompt(messages).removesuffix("<|im_start|>assistant\n")

    assert "generation prompt" in ch10.check_chat_prompt(no_generation_prompt, tokenizer).message

    def no_newlines(messages):
        return right_prompt(messages).replace("<|im_end|>\n", "<|im_end|>")

    assert "followed by a newline" in ch10.check_chat_prompt(no_newlines, tokenizer).message

    def spaces(messages):
        return right_prompt(messages).replace("<|im_start|>user\n", "<|im_start|>user: ")

    assert "differ at character" in ch10.check_chat_prompt(spaces, tokenizer).message


def test_check_kv_cache_bytes():
    right = 2 * 30 * 3 * 64 * 2
    assert ch10.check_kv_cache_bytes(right, REAL_CONFIG, 2)
    assert ch10.check_kv_cache_bytes(torch.tensor(right), REAL_CONFIG, 2)
    no_head_dim = {k: v for k, v in REAL_CONFIG.items() if k != "head_dim"}
    assert ch10.check_kv_cache_bytes(right, no_head_dim, 2)
    assert "replace the `...`" in ch10.check_kv_cache_bytes(..., REAL_CONFIG, 2).message
    assert "one number" in ch10.check_kv_cache_bytes([right], REAL_CONFIG, 2).message
    assert "query heads" in ch10.check_kv_cache_bytes(right * 3, REAL_CONFIG, 2).message
    assert "multiply by 2" in ch10.check_kv_cache_bytes(right // 2, REAL_CONFIG, 2).message
    assert "counts numbers" in ch10.check_kv_cache_bytes(2 * 30 * 3 * 64, REAL_CONFIG, 4).message
    assert "4-byte float32" in ch10.check_kv_cache_bytes(right * 2, REAL_CONFIG, 2).message
    assert "every one of the 30 layers" in ch10.check_kv_cache_bytes(right // 30, REAL_CONFIG, 2).message
    assert "yours is 7" in ch10.check_kv_cache_bytes(7, REAL_CONFIG, 2).message


def right_top_p(logits, p):
    probs = logits.softmax(-1)
    sorted_probs, order = probs.sort(descending=True)
    keep = torch.zeros_like(probs, dtype=torch.bool)
    keep[order] = sorted_probs.cumsum(-1) - sorted_probs < p
    return keep


def test_check_top_p_filter():
    assert ch10.check_top_p_filter(right_top_p)
    assert ch10.check_top_p_filter(lambda logits, p: right_top_p(logits, p).tolist())
    assert "replace the `...`" in ch10.check_top_p_filter(...).message
    assert "replace the `...`" in ch10.check_top_p_filter(lambda logits, p: ...).message
    assert "a function" in ch10.check_top_p_filter(0.9).message

    def stops_short(logits, p):  # keeps only tokens whose running total stays below p
        probs = logits.softmax(-1)
        sorted_probs, order = probs.sort(descending=True)
        keep = torch.zeros_like(probs, dtype=torch.bool)
        keep[order] = sorted_probs.cumsum(-1) < p
        return keep

    assert "less than p" in ch10.check_top_p_filter(stops_short).message

    def unsorted(logits, p):
        probs = logits.softmax(-1)
        return probs.cumsum(-1) - probs < p

    assert "not the most likely" in ch10.check_top_p_filter(unsorted).message

    def indices(logits, p):
        return torch.nonzero(right_top_p(logits, p)).flatten()

    assert "one True/False per token" in ch10.check_top_p_filter(indices).message
    assert "booleans" in ch10.check_top_p_filter(lambda logits, p: logits.softmax(-1)).message
    assert "keep 6 tokens" in ch10.check_top_p_filter(lambda logits, p: torch.ones_like(logits) > 0).message
    assert "raised" in ch10.check_top_p_filter(lambda logits: logits).message


@pytest.fixture(scope="module")
def train():
    return datasets.Dataset.from_dict(
        {"text": ["Great soup.", "Cold fries.", "Lovely staff.", "Broke in a day."], "label": [1, 0, 1, 0]},
        features=datasets.Features({"text": datasets.Value("string"),
                                    "label": datasets.ClassLabel(names=["negative", "positive"])}),
    )


def turn(review):
    return {"role": "user", "content": f"{INSTRUCTION}\n\nReview: {review}"}


def reply(label):
    return {"role": "assistant", "content": label}


QUERY = "The pasta was fine."


def test_check_few_shot(train):
    good = [turn("Great soup."), reply("positive"), turn("Cold fries."), reply("negative"), turn(QUERY)]
    assert ch10.check_few_shot(good, QUERY, train)
    assert ch10.check_few_shot([{"role": "system", "content": "Be brief."}, *good], QUERY, train)
    assert "replace the `...`" in ch10.check_few_shot(..., QUERY, train).message
    assert "list of message dicts" in ch10.check_few_shot("positive", QUERY, train).message
    assert "exactly the keys" in ch10.check_few_shot([{"role": "user", "text": QUERY}], QUERY, train).message
    assert "last message" in ch10.check_few_shot(good[:-1], QUERY, train).message
    swapped = [good[1], good[0], *good[2:]]
    assert "alternate" in ch10.check_few_shot(swapped, QUERY, train).message
    assert "at least two" in ch10.check_few_shot([*good[:2], good[-1]], QUERY, train).message
    wrong_label = [turn("Great soup."), reply("Positive"), *good[2:]]
    assert "exactly 'positive'" in ch10.check_few_shot(wrong_label, QUERY, train).message
    unknown = [turn("A review I made up."), reply("positive"), *good[2:]]
    assert "training split" in ch10.check_few_shot(unknown, QUERY, train).message
    leak = [turn(QUERY), reply("positive"), *good[2:]]
    assert "contains the review to classify" in ch10.check_few_shot(leak, QUERY, train).message
    one_label = [turn("Great soup."), reply("positive"), turn("Lovely staff."), reply("positive"),
                 turn(QUERY)]
    assert "include both labels" in ch10.check_few_shot(one_label, QUERY, train).message


@pytest.mark.parametrize("answer", [None, ...])
def test_unanswered_never_raises(answer, tokenizer, train):
    for feedback in (
        ch10.check_chat_prompt(answer, tokenizer),
        ch10.check_kv_cache_bytes(answer, REAL_CONFIG, 2),
        ch10.check_top_p_filter(answer),
        ch10.check_few_shot(answer, QUERY, train),
    ):
        assert not feedback and "replace the `...`" in feedback.message
