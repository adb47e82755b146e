"""Checkers for chapter 14, training with a script on several processes, checkpoints and resuming.

Each checker returns a :class:`~nlpcourse.exercises.Feedback`; none raises on a wrong answer. The
launches in the exercises are plain numbers: nothing here starts a process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nlpcourse.exercises import Feedback, correct, is_unanswered, not_answered, wrong
from nlpcourse.exercises._check import call, number, plain

__all__ = [
    "EFFECTIVE_BATCH",
    "RESUME_RUN",
    "SCHEDULE_CASES",
    "WHO_WRITES",
    "check_effective_batch",
    "check_resume_point",
    "check_schedule_length",
    "check_who_writes",
    "resume_point",
    "schedule_length",
]

#: Exercise 1: batch per process, processes, gradient accumulation steps.
EFFECTIVE_BATCH: tuple[int, int, int] = (8, 4, 2)

#: Exercise 2: the right sets for 2 machines with 4 processes each (global process numbers 0-7).
WHO_WRITES: dict[str, frozenset[int]] = {
    "writes results.json": frozenset({0}),
    "shows a progress bar": frozenset({0, 4}),
}

#: Exercise 3: reviews, batch per process, processes, accumulation, checkpoint every, the step killed in.
RESUME_RUN: dict[str, int] = {"reviews": 256, "batch": 8, "processes": 2, "accumulation": 2, "every": 5,
                              "killed_in": 13}

#: Exercise 4: ``(n_reviews, batch_size, processes, accumulation, epochs)``, each dividing evenly.
SCHEDULE_CASES: tuple[tuple[int, int, int, int, int], ...] = (
    (128, 16, 1, 1, 2),
    (128, 8, 2, 1, 2),
    (1024, 16, 4, 2, 1),  # processes and accumulation differ, so their mistakes give different numbers
    (256, 8, 2, 2, 3),
    (960, 8, 4, 3, 2),
)


def resume_point(reviews: int, batch: int, processes: int, accumulation: int, every: int,
                 killed_in: int) -> tuple[int, int, int]:
    """``(step, epoch from 1, batches skipped per process)`` where a ``--resume`` run goes on."""
    steps_per_epoch = reviews // (batch * processes * accumulation)
    step = (killed_in - 1) // every * every  # the last step finished before the one killed
    return step, step // steps_per_epoch + 1, step % steps_per_epoch * accumulation


def schedule_length(n_reviews: int, batch_size: int, processes: int, accumulation: int, epochs: int) -> int:
    """How often accelerate steps a prepared schedule in a run: once per process at each optimizer step."""
    return epochs * n_reviews // (batch_size * processes * accumulation) * processes


def _whole(value: Any) -> int | None:
    x = number(value)
    return int(x) if x is not None and float(x).is_integer() else None


def check_effective_batch(answer: Any) -> Feedback:
    """The reviews one optimizer step trains on: batch per process x processes x accumulation steps."""
    if is_unanswered(answer):
        return not_answered("the number of reviews one optimizer step trains on")
    value = _whole(answer)
    batch, processes, accumulation = EFFECTIVE_BATCH
    if value is None:
        return wrong(f"answer with one whole number of reviews; got {answer!r}.")
    expected = batch * processes * accumulation
    if value == expected:
        return correct(f"{batch} per process x {processes} processes x {accumulation} accumulated batches = "
                       f"{expected} reviews per optimizer step.")
    if value == batch:
        return wrong(f"{batch} is the batch of one process for one forward pass; a step adds up the "
                     "batches of every process and of every accumulation step.")
    if value == batch * processes:
        return wrong(f"{value} counts the processes but not the {accumulation} accumulated batches per step.")
    if value == batch * accumulation:
        return wrong(f"{value} is what one process sees per step; the {processes} processes each train on "
                     "their own reviews, and their gradients are averaged into the same step.")
    if value in (batch + processes + accumulation, batch * processes + accumulation):
        return wrong("multiply: every process trains on a whole batch at each of the accumulation steps.")
    return wrong(f"{value} is not it: a step sees batch per process x processes x accumulation steps.")


def _index_set(value: Any) -> set[int] | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value]
    try:
        items = plain(value)
    except TypeError:
        return None
    if not isinstance(items, list):
        return None
    out = set()
    for item in items:
        whole = _whole(item)
        if whole is None:
            return None
        out.add(whole)
    return out


def check_who_writes(answer: Any) -> Feedback:
    """Which of 8 processes on 2 machines write results.json and which show a progress bar."""
    if is_unanswered(answer):
        return not_answered("a dict of two sets of process numbers")
    if not isinstance(answer, Mapping):
        return wrong(f"answer with a dict whose keys are {list(WHO_WRITES)}; got {type(answer).__name__}.")
    missing = [key for key in WHO_WRITES if key not in answer]
    if missing:
        return wrong(f"the dict needs the keys {list(WHO_WRITES)}; {missing[0]!r} is missing.")
    for key in WHO_WRITES:
        if is_unanswered(answer[key]):
            return not_answered(f"a set of process numbers for {key!r}")
    writes = _index_set(answer["writes results.json"])
    bars = _index_set(answer["shows a progress bar"])
    if writes is None or bars is None:
        return wrong("give each entry as a set of whole process numbers, such as {0, 1}.")
    if not writes | bars <= set(range(8)):
        return wrong("the processes are numbered 0 to 7 across the job (machine 1 has 4 to 7).")
    if writes != set(WHO_WRITES["writes results.json"]):
        if writes == {0, 4}:
            return wrong("{0, 4} are the local main processes, one per machine; the script writes under "
                         "`accelerator.is_main_process`, which is true on one process in the whole job.")
        if writes == set(range(8)):
            return wrong("if every process wrote, eight processes would write the same file at once; "
                         "look for `is_main_process` in main().")
        return wrong("results.json is written under `if accelerator.is_main_process`: true on process 0 "
                     "alone, the first process of machine 0.")
    if bars != set(WHO_WRITES["shows a progress bar"]):
        if bars == {0}:
            return wrong("the bars are disabled with `not accelerator.is_local_main_process`: the first "
                         "process on *each* machine shows one, so each machine's log has a bar.")
        if bars == {0, 1, 2, 3} or bars == {4, 5, 6, 7}:
            return wrong("one process per machine shows a bar, not every process of one machine: look at "
                         "`is_local_main_process` in train().")
        return wrong("`is_local_main_process` is true on the first process of each machine: which numbers "
                     "are those, with 4 processes per machine?")
    return correct("process 0 alone writes (is_main_process); processes 0 and 4, the first of each machine, "
                   "show progress bars (is_local_main_process).")


def check_resume_point(answer: Any) -> Feedback:
    """``(step, epoch, batches skipped)`` for the run of :data:`RESUME_RUN`."""
    if is_unanswered(answer):
        return not_answered("a tuple (step, epoch, batches skipped)")
    try:
        values = plain(answer)
    except TypeError:
        values = None
    if not isinstance(values, list) or len(values) != 3 or any(_whole(v) is None for v in values):
        return wrong(f"answer with three whole numbers (step, epoch, batches skipped); got {answer!r}.")
    step, epoch, skipped = (_whole(v) for v in values)
    run = RESUME_RUN
    expected = resume_point(**run)
    steps_per_epoch = run["reviews"] // (run["batch"] * run["processes"] * run["accumulation"])
    if step != expected[0]:
        if step in (run["killed_in"], run["killed_in"] - 1):
            return wrong(f"a resumed run starts from the last checkpoint, not where it stopped: checkpoints "
                         f"are saved every {run['every']} steps, and what came after the last one is lost.")
        return wrong(f"checkpoints are saved after steps {run['every']}, {2 * run['every']}, ...: which is "
                     f"the last one before step {run['killed_in']} was finished?")
    if epoch != expected[1]:
        if epoch == expected[1] - 1:
            return wrong(f"count epochs from 1: step {step} comes after {step // steps_per_epoch} whole "
                         "epochs, so the run goes on in the next one.")
        return wrong(f"an epoch here has {steps_per_epoch} optimizer steps ({run['reviews']} reviews / "
                     f"({run['batch']} x {run['processes']} processes x {run['accumulation']} accumulated)).")
    if skipped != expected[2]:
        if skipped == expected[2] // run["accumulation"]:
            return wrong(f"{skipped} is the steps already done in this epoch; the loader yields batches, and "
                         f"each step took {run['accumulation']} of them on each process.")
        if skipped == expected[2] * run["processes"]:
            return wrong("count the batches of one process: each process skips its own share.")
        return wrong(f"each process skips the batches of the steps done in epoch {epoch}: steps x "
                     "accumulation.")
    return correct(f"the last checkpoint is step {expected[0]}; with {steps_per_epoch} steps per epoch that "
                   f"is epoch {expected[1]}, and each process skips {expected[2]} batches.")


def check_schedule_length(answer: Any) -> Feedback:
    """``answer(n_reviews, batch_size, processes, accumulation, epochs)``: scheduler steps in a run."""
    if is_unanswered(answer):
        return not_answered("your function `schedule_length(...)` (the function itself)")
    if not callable(answer):
        return wrong(f"expected a function of five numbers, got {type(answer).__name__}.")
    for case in SCHEDULE_CASES:
        n, batch, processes, accumulation, epochs = case
        got = call(answer, *case, called=f"schedule_length{case}", body="the number of scheduler steps")
        if isinstance(got, Feedback):
            return got
        value = _whole(got)
        if value is None:
            return wrong(f"return a whole number; schedule_length{case} returned {got!r}.")
        expected = schedule_length(*case)
        if value == expected:
            continue
        optimizer_steps = expected // processes
        if value == optimizer_steps and processes > 1:
            return wrong(f"{value} is the number of optimizer steps for schedule_length{case}; accelerate "
                         f"steps a prepared schedule once per process at each of them ({processes} times).")
        if value == optimizer_steps * accumulation or value == expected * accumulation:
            return wrong("inside `accumulate` the schedule moves only when the optimizer steps, once per "
                         "accumulation cycle, not at every batch.")
        if value == epochs * n // batch // accumulation * processes:
            return wrong("the processes split the reviews: each optimizer step takes batch x processes x "
                         "accumulation of them.")
        return wrong(f"schedule_length{case} should be {expected}; yours gives {value}.")
    return correct(f"right on {len(SCHEDULE_CASES)} launches: optimizer steps x processes, which is the "
                   "number of batches of the unsharded loader divided by the accumulation steps.")
