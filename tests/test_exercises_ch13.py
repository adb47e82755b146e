from huggingface_hub import EvalResult, ModelCardData

from nlpcourse.exercises import ch13

# --- label confidences -------------------------------------------------------------------------------

def right_confidences(outputs):
    return {out["label"]: out["score"] for out in outputs}


def test_check_label_confidences():
    assert ch13.check_label_confidences(right_confidences)
    assert "replace the `...`" in ch13.check_label_confidences(...).message
    assert "replace the `...`" in ch13.check_label_confidences(lambda outputs: ...).message
    assert "a function" in ch13.check_label_confidences({"a": 1}).message
    assert "only the best label" in ch13.check_label_confidences(lambda outputs: outputs[0]["label"]).message
    assert "every label" in ch13.check_label_confidences(
        lambda outputs: {outputs[0]["label"]: outputs[0]["score"]}).message
    assert "percentages" in ch13.check_label_confidences(
        lambda outputs: {o["label"]: 100 * o["score"] for o in outputs}).message
    assert "not a list" in ch13.check_label_confidences(lambda outputs: outputs).message
    assert "the keys must be the labels" in ch13.check_label_confidences(
        lambda outputs: {o["label"].lower() + "!": o["score"] for o in outputs}).message
    assert "yours is" in ch13.check_label_confidences(
        lambda outputs: {o["label"]: 1 - o["score"] for o in outputs}).message
    assert "raised KeyError" in ch13.check_label_confidences(lambda outputs: outputs[0]["name"]).message


# --- streaming ---------------------------------------------------------------------------------------

def right_stream(pieces):
    reply = ""
    for piece in pieces:
        reply += piece
        yield reply


def test_check_streaming():
    assert ch13.check_streaming(right_stream)
    assert "replace the `...`" in ch13.check_streaming(...).message
    assert "a function" in ch13.check_streaming("text").message

    def pieces_alone(pieces):
        yield from pieces

    assert "each new piece alone" in ch13.check_streaming(pieces_alone).message

    def at_the_end(pieces):
        reply = ""
        for piece in pieces:
            reply += piece
        yield reply

    assert "only the final text" in ch13.check_streaming(at_the_end).message
    assert "whole reply at once" in ch13.check_streaming(lambda pieces: "".join(pieces)).message
    assert "replace the `...`" in ch13.check_streaming(lambda pieces: None).message

    def broken(pieces):
        yield 1 / 0

    assert "ZeroDivisionError" in ch13.check_streaming(broken).message

    def doubled(pieces):
        reply = ""
        for piece in pieces:
            reply += piece
            yield reply
            yield reply

    assert "should show" in ch13.check_streaming(doubled).message


def test_piece_cases_include_an_empty_piece_and_a_single_one():
    assert any("" in case for case in ch13.PIECE_CASES) and any(len(case) == 1 for case in ch13.PIECE_CASES)


# --- history to messages -----------------------------------------------------------------------------

def test_reference_to_messages_joins_parts_and_drops_extra_keys():
    message, history, system = ch13.HISTORY_CASES[2]
    messages = ch13.to_messages(message, history, system)
    assert messages == [
        {"role": "system", "content": system},
        {"role": "user", "content": "Hi! How are you?"},
        {"role": "assistant", "content": "I am fine, thank you."},
        {"role": "user", "content": message},
    ]


def test_check_history():
    assert ch13.check_history(ch13.to_messages)
    assert "replace the `...`" in ch13.check_history(...).message
    assert "replace the `...`" in ch13.check_history(lambda m, h, s=None: ...).message
    assert "a function" in ch13.check_history([]).message

    def keeps_keys(message, history, system=None):
        head = [{"role": "system", "content": system}] if system else []
        return head + [dict(turn) for turn in history] + [{"role": "user", "content": message}]

    assert "only 'role' and 'content'" in ch13.check_history(keeps_keys).message

    def keeps_parts(message, history, system=None):
        head = [{"role": "system", "content": system}] if system else []
        turns = [{"role": t["role"], "content": t["content"]} for t in history]
        return head + turns + [{"role": "user", "content": message}]

    assert "join the text parts" in ch13.check_history(keeps_parts).message

    def no_system(message, history, system=None):
        return ch13.to_messages(message, history)

    assert "system message comes first" in ch13.check_history(no_system).message

    def mutates(message, history, system=None):
        history.append({"role": "user", "content": message})
        return ch13.to_messages(message, history[:-1], system)

    assert ch13.check_history(mutates)  # the checker hands over a copy of each turn list

    def mutates_turns(message, history, system=None):
        for turn in history:
            turn.pop("metadata", None)
        return ch13.to_messages(message, history, system)

    assert ch13.check_history(mutates_turns)

    def reversed_roles(message, history, system=None):
        out = ch13.to_messages(message, history, system)
        return [{"role": "user" if m["role"] == "assistant" else m["role"], "content": m["content"]}
                for m in out]

    assert "expected" in ch13.check_history(reversed_roles).message
    assert "dictionaries" in ch13.check_history(lambda m, h, s=None: m).message


# --- card metadata -----------------------------------------------------------------------------------

def card(accuracy, interval, **changes):
    fields = dict(
        license="apache-2.0", base_model=ch13.BASE_MODEL, pipeline_tag="text-classification", model_name="m",
        eval_results=[EvalResult(task_type="text-classification", dataset_type="reviews",
                                 dataset_name="reviews", metric_type="accuracy", metric_value=accuracy)],
        confidence_intervals={"accuracy": {"level": 0.95, "interval": list(interval)}},
    )
    fields.update(changes)
    return ModelCardData(**fields)


def test_check_card_data():
    assert ch13.check_card_data(card)
    assert "replace the `...`" in ch13.check_card_data(...).message
    assert "a function" in ch13.check_card_data(card(0.9, (0.8, 0.95))).message
    assert "not a dict" in ch13.check_card_data(lambda a, i: {"license": "apache-2.0"}).message
    assert "`license`" in ch13.check_card_data(lambda a, i: card(a, i, license="mit")).message
    assert "`base_model`" in ch13.check_card_data(lambda a, i: card(a, i, base_model=None)).message
    assert "`pipeline_tag`" in ch13.check_card_data(
        lambda a, i: card(a, i, pipeline_tag="fill-mask")).message
    assert "one evaluation result" in ch13.check_card_data(
        lambda a, i: card(a, i, eval_results=None, model_name=None)).message
    assert "metric_type 'accuracy'" in ch13.check_card_data(lambda a, i: card(a, i, eval_results=[EvalResult(
        task_type="text-classification", dataset_type="r", dataset_name="r", metric_type="f1",
        metric_value=a)])).message
    assert "metric_value" in ch13.check_card_data(lambda a, i: card(round(a, 1), i)).message
    assert "confidence_intervals" in ch13.check_card_data(
        lambda a, i: card(a, i, confidence_intervals=None)).message
    assert "confidence_intervals" in ch13.check_card_data(
        lambda a, i: card(a, i, confidence_intervals={"accuracy": {"interval": list(i)[::-1]}})).message
    no_name = ch13.check_card_data(lambda a, i: card(a, i, model_name=None))
    assert "model_name=" in no_name.message and not no_name
