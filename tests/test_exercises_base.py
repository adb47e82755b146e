from nlpcourse.exercises import correct, is_unanswered, not_answered, wrong


def test_feedback_truthiness_and_text():
    assert correct() and not wrong("off by one")
    assert str(wrong("off by one")) == "Not yet: off by one"
    assert "**Correct.**" in correct("yes")._repr_markdown_()


def test_stub_values_count_as_unanswered():
    assert is_unanswered(...) and is_unanswered(None) and not is_unanswered(0)
    assert "replace the `...`" in not_answered("a list of tokens").message
