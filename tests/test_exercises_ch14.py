import numpy as np

from nlpcourse import train_script
from nlpcourse.exercises import ch14

# --- effective batch ---------------------------------------------------------------------------------


def test_check_effective_batch():
    assert ch14.check_effective_batch(64)
    assert ch14.check_effective_batch(64.0)
    assert ch14.check_effective_batch(np.int64(64))
    assert "replace the `...`" in ch14.check_effective_batch(...).message
    assert "batch of one process" in ch14.check_effective_batch(8).message
    assert "accumulated batches" in ch14.check_effective_batch(32).message
    assert "what one process sees" in ch14.check_effective_batch(16).message
    assert "multiply" in ch14.check_effective_batch(14).message
    assert "whole number" in ch14.check_effective_batch("sixty-four").message
    assert "is not it" in ch14.check_effective_batch(128).message


# --- who writes --------------------------------------------------------------------------------------

RIGHT = {"writes results.json": {0}, "shows a progress bar": {0, 4}}


def test_check_who_writes():
    assert ch14.check_who_writes(RIGHT)
    assert ch14.check_who_writes({"writes results.json": [0], "shows a progress bar": (4, 0)})
    assert ch14.check_who_writes({"writes results.json": 0, "shows a progress bar": {0, 4}})
    assert "replace the `...`" in ch14.check_who_writes({**RIGHT, "writes results.json": ...}).message
    assert "replace the `...`" in ch14.check_who_writes(...).message
    assert "a dict" in ch14.check_who_writes([0, 4]).message
    assert "is missing" in ch14.check_who_writes({"writes results.json": {0}}).message
    local = ch14.check_who_writes({**RIGHT, "writes results.json": {0, 4}})
    assert "local main processes" in local.message
    everyone = ch14.check_who_writes({**RIGHT, "writes results.json": set(range(8))})
    assert "the same file at once" in everyone.message

    def bars(answer):
        return ch14.check_who_writes({**RIGHT, "shows a progress bar": answer}).message

    assert "*each* machine" in bars({0})
    assert "one process per machine" in bars({0, 1, 2, 3})
    assert "numbered 0 to 7" in bars({0, 8})
    assert "whole process numbers" in bars({"rank 0"})


# --- resume point ------------------------------------------------------------------------------------


def test_reference_resume_point():
    assert ch14.resume_point(**ch14.RESUME_RUN) == (10, 2, 4)
    # killed during a step right after a checkpoint: that checkpoint was saved
    assert ch14.resume_point(256, 8, 2, 2, 5, 11) == (10, 2, 4)
    # killed during the step a checkpoint would follow: it was never saved
    assert ch14.resume_point(256, 8, 2, 2, 5, 15) == (10, 2, 4)


def test_check_resume_point():
    assert ch14.check_resume_point((10, 2, 4))
    assert ch14.check_resume_point([10, 2, 4])
    assert ch14.check_resume_point(np.array([10, 2, 4]))
    assert "replace the `...`" in ch14.check_resume_point(...).message
    assert "three whole numbers" in ch14.check_resume_point((10, 2)).message
    assert "last checkpoint, not where it stopped" in ch14.check_resume_point((13, 2, 6)).message
    assert "last checkpoint, not where it stopped" in ch14.check_resume_point((12, 2, 8)).message
    assert "which is the last one" in ch14.check_resume_point((5, 1, 10)).message
    assert "count epochs from 1" in ch14.check_resume_point((10, 1, 4)).message
    assert "optimizer steps" in ch14.check_resume_point((10, 3, 4)).message
    assert "each step took 2" in ch14.check_resume_point((10, 2, 2)).message
    assert "batches of one process" in ch14.check_resume_point((10, 2, 8)).message
    assert "steps x accumulation" in ch14.check_resume_point((10, 2, 5)).message


# --- schedule length ---------------------------------------------------------------------------------


def right_length(n_reviews, batch_size, processes, accumulation, epochs):
    return epochs * n_reviews // (batch_size * processes * accumulation) * processes


def test_reference_schedule_length_is_what_the_script_gives_the_schedule():
    for n, batch, processes, accumulation, epochs in ch14.SCHEDULE_CASES:
        assert n % (batch * processes * accumulation) == 0
        unsharded = n // batch
        assert ch14.schedule_length(n, batch, processes, accumulation, epochs) == train_script.schedule_steps(
            unsharded, epochs, accumulation)


def test_check_schedule_length():
    assert ch14.check_schedule_length(right_length)
    assert ch14.check_schedule_length(lambda n, b, p, a, e: float(right_length(n, b, p, a, e)))
    assert "replace the `...`" in ch14.check_schedule_length(...).message
    assert "replace the `...`" in ch14.check_schedule_length(lambda *args: ...).message
    assert "a function" in ch14.check_schedule_length(32).message
    steps = ch14.check_schedule_length(lambda n, b, p, a, e: e * n // (b * p * a))
    assert "once per process" in steps.message
    per_batch = ch14.check_schedule_length(lambda n, b, p, a, e: e * n // (b * p) * p)
    assert "only when the optimizer steps" in per_batch.message
    unsplit = ch14.check_schedule_length(lambda n, b, p, a, e: e * n // b // a * p)
    assert "split the reviews" in unsplit.message
    assert "raised TypeError" in ch14.check_schedule_length(lambda n: n).message
    assert "whole number" in ch14.check_schedule_length(lambda *args: "many").message
    assert "yours gives 1" in ch14.check_schedule_length(lambda *args: 1).message
