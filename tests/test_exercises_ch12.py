import math

import pytest

from nlpcourse.exercises import ch12

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

CHATML = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
    "'<|im_end|>' + '\\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


@pytest.fixture(scope="module")
def tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers

    backend = Tokenizer(models.WordLevel({"<unk>": 0}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = transformers.PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>")
    tok.chat_template = CHATML
    return tok


# --- cosine ------------------------------------------------------------------------------------------

def right_cosine(a, b):
    return (a @ b) / (a.norm() * b.norm())


def test_check_cosine():
    assert ch12.check_cosine(right_cosine)
    assert ch12.check_cosine(lambda a, b: float(right_cosine(a, b)))
    assert ch12.check_cosine(lambda a, b: right_cosine(a, b).numpy())
    assert "replace the `...`" in ch12.check_cosine(...).message
    assert "replace the `...`" in ch12.check_cosine(lambda a, b: ...).message
    assert "a function" in ch12.check_cosine(0.5).message
    assert "dot product" in ch12.check_cosine(lambda a, b: a @ b).message
    assert "cosine distance" in ch12.check_cosine(lambda a, b: 1 - right_cosine(a, b)).message
    squares = ch12.check_cosine(lambda a, b: (a @ b) / (a.norm() ** 2 * b.norm() ** 2))
    assert "not by their squares" in squares.message
    assert "both vectors" in ch12.check_cosine(lambda a, b: (a @ b) / a.norm()).message
    assert "one number" in ch12.check_cosine(lambda a, b: a * b).message
    assert "raised TypeError" in ch12.check_cosine(lambda a: a).message
    assert "yours gives" in ch12.check_cosine(lambda a, b: 0.123).message


def test_cosine_cases_include_opposite_and_orthogonal_pairs():
    values = [float(torch.nn.functional.cosine_similarity(torch.tensor(a), torch.tensor(b), dim=0))
              for a, b in ch12.COSINE_CASES]
    assert any(math.isclose(v, -1, abs_tol=1e-6) for v in values)
    assert any(math.isclose(v, 0, abs_tol=1e-6) for v in values)


# --- recall@k ----------------------------------------------------------------------------------------

def test_reference_recall():
    rankings, relevant, k = ch12.RECALL_CASES[0]
    # the first relevant passage is at rank 1, 2, 3, 5 and 2
    assert ch12.recall_at_k(rankings, relevant, k) == 3 / 5
    assert [ch12.recall_at_k(rankings, relevant, j) for j in (1, 3, 5)] == [1 / 5, 4 / 5, 1]


def test_check_recall_at_k():
    assert ch12.check_recall_at_k(ch12.recall_at_k)
    assert "replace the `...`" in ch12.check_recall_at_k(...).message
    assert "replace the `...`" in ch12.check_recall_at_k(lambda r, rel, k: ...).message
    assert "a function" in ch12.check_recall_at_k([0.5]).message

    def count(rankings, relevant, k):
        return sum(bool(set(r[:k]) & rel) for r, rel in zip(rankings, relevant, strict=True))

    assert "divide by the number of questions" in ch12.check_recall_at_k(count).message

    def one_more(rankings, relevant, k):
        return ch12.recall_at_k(rankings, relevant, k + 1)

    assert "not 3" in ch12.check_recall_at_k(one_more).message

    def everything(rankings, relevant, k):
        return ch12.recall_at_k(rankings, relevant, len(rankings[0]))

    assert "only the first k=2" in ch12.check_recall_at_k(everything).message

    def per_passage(rankings, relevant, k):
        return sum(len(set(r[:k]) & rel) / len(rel) for r, rel in zip(rankings, relevant, strict=True)) / len(
            rankings)

    assert "any one of its relevant passages" in ch12.check_recall_at_k(per_passage).message
    assert "one number" in ch12.check_recall_at_k(lambda r, rel, k: [0.5, 0.5]).message
    assert "raised ZeroDivisionError" in ch12.check_recall_at_k(lambda r, rel, k: 1 / 0).message


# --- chunker -----------------------------------------------------------------------------------------

def test_reference_chunker():
    text = " ".join(f"w{i}" for i in range(23))
    chunks = ch12.chunk_words(text, 10, 3)
    assert [c.split()[0] for c in chunks] == ["w0", "w7", "w14"] and chunks[-1].split()[-1] == "w22"
    assert ch12.chunk_words("a b c", 10, 3) == ["a b c"]
    assert len(ch12.chunk_words(" ".join("x" * 17), 10, 3)) == 2  # the second chunk reaches the end
    assert ch12.chunk_words("", 10, 3) == [""]


def test_check_chunker():
    assert ch12.check_chunker(ch12.chunk_words)
    assert "replace the `...`" in ch12.check_chunker(...).message
    assert "replace the `...`" in ch12.check_chunker(lambda text, size, overlap: ...).message
    assert "a function" in ch12.check_chunker("w0 w1").message

    def no_overlap(text, size, overlap):
        return ch12.chunk_words(text, size, 0)

    assert "share no words" in ch12.check_chunker(no_overlap).message

    def step_is_overlap(text, size, overlap):
        words = text.split()
        out = []
        for start in range(0, len(words), overlap or size):
            out.append(" ".join(words[start:start + size]))
            if start + size >= len(words):
                break
        return out

    assert "the step is size - overlap" in ch12.check_chunker(step_is_overlap).message

    def redundant_tail(text, size, overlap):
        words = text.split()
        return [" ".join(words[s:s + size]) for s in range(0, len(words), size - overlap)]

    assert "already inside the chunk before" in ch12.check_chunker(redundant_tail).message

    def drops_tail(text, size, overlap):
        words = text.split()
        starts = range(0, len(words) - size + 1, size - overlap)
        return [" ".join(words[s:s + size]) for s in starts] or [text]

    assert "reach the end of the text" in ch12.check_chunker(drops_tail).message

    def word_lists(text, size, overlap):
        return [c.split() for c in ch12.chunk_words(text, size, overlap)]

    assert "list of strings" in ch12.check_chunker(word_lists).message

    def too_long(text, size, overlap):
        return ch12.chunk_words(text, size + 1, overlap)

    assert "no chunk may have more than 10" in ch12.check_chunker(too_long).message


# --- RAG prompt within a token budget ------------------------------------------------------------------

def rag_messages(question, passages):
    numbered = "\n".join(f"[{i}] {p}" for i, p in enumerate(passages, start=1))
    return [{"role": "system", "content": "Answer from the passages and cite one as [n]."},
            {"role": "user", "content": f"Passages:\n{numbered}\n\nQuestion: {question}"}]


def n_tokens(tokenizer, messages):
    return len(tokenizer.apply_chat_template(messages, add_generation_prompt=True)["input_ids"])


def make_fit(tokenizer):
    def fit(question, passages, max_tokens):
        passages = list(passages)
        while passages:
            messages = rag_messages(question, passages)
            if n_tokens(tokenizer, messages) <= max_tokens:
                return messages
            passages = passages[:-1]
        return rag_messages(question, [])
    return fit


def test_check_rag_prompt(tokenizer):
    fit = make_fit(tokenizer)
    assert ch12.check_rag_prompt(fit, tokenizer)
    assert "replace the `...`" in ch12.check_rag_prompt(..., tokenizer).message
    assert "replace the `...`" in ch12.check_rag_prompt(lambda q, p, m: ..., tokenizer).message
    assert "a function" in ch12.check_rag_prompt("prompt", tokenizer).message
    assert "list of message dicts" in ch12.check_rag_prompt(lambda q, p, m: "text", tokenizer).message

    def everything(question, passages, max_tokens):
        return rag_messages(question, passages)

    assert "once the chat template is applied" in ch12.check_rag_prompt(everything, tokenizer).message

    def by_content(question, passages, max_tokens):  # counts the passages' tokens only
        kept, used = [], 0
        for p in passages:
            used += len(tokenizer(p)["input_ids"])
            if used > max_tokens:
                break
            kept.append(p)
        return rag_messages(question, kept)

    assert "once the chat template is applied" in ch12.check_rag_prompt(by_content, tokenizer).message

    def drops_first(question, passages, max_tokens):
        passages = list(passages)
        while len(passages) > 1:
            messages = rag_messages(question, passages)
            if n_tokens(tokenizer, messages) <= max_tokens:
                return messages
            passages = passages[1:]
        return rag_messages(question, passages)

    assert "drop from the end" in ch12.check_rag_prompt(drops_first, tokenizer).message

    def too_few(question, passages, max_tokens):
        if len(passages) > 1 and max_tokens < 100_000:
            return fit(question, passages[:1], max_tokens)
        return fit(question, passages, max_tokens)

    assert "drop only as many" in ch12.check_rag_prompt(too_few, tokenizer).message

    def unnumbered(question, passages, max_tokens):
        return [{"role": "user", "content": "\n".join(passages) + f"\n\nQuestion: {question}"}]

    assert "write `[1]`" in ch12.check_rag_prompt(unnumbered, tokenizer).message

    def question_first(question, passages, max_tokens):
        numbered = "\n".join(f"[{i}] {p}" for i, p in enumerate(passages, start=1))
        return [{"role": "user", "content": f"Question: {question}\n\n{numbered}"}]

    assert "after the passages" in ch12.check_rag_prompt(question_first, tokenizer).message

    def no_question(question, passages, max_tokens):
        return rag_messages("", passages)

    assert "the question, word for word" in ch12.check_rag_prompt(no_question, tokenizer).message

    def assistant_last(question, passages, max_tokens):
        return [*rag_messages(question, passages), {"role": "assistant", "content": "[1]"}]

    assert "last message must be the user's" in ch12.check_rag_prompt(assistant_last, tokenizer).message

    def missing_passage(question, passages, max_tokens):
        return rag_messages(question, passages[:-1])

    assert "every passage must be in the prompt" in ch12.check_rag_prompt(missing_passage, tokenizer).message
    assert "raised" in ch12.check_rag_prompt(lambda q, p: [], tokenizer).message


@pytest.mark.parametrize("answer", [None, ...])
def test_unanswered_never_raises(answer, tokenizer):
    for feedback in (
        ch12.check_cosine(answer),
        ch12.check_recall_at_k(answer),
        ch12.check_chunker(answer),
        ch12.check_rag_prompt(answer, tokenizer),
    ):
        assert not feedback and "replace the `...`" in feedback.message
