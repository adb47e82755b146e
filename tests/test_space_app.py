"""Chapter 13's Space app in a real browser: headless Chromium (Debian's) driven by Playwright.

The app is the ``app.py`` that ``nlpcourse.space.write_space`` writes, as the notebook writes it, started
as its own process on a free loopback port with the test environment (the offline hub when
build/offline-hub/env.sh is sourced). The browser types a review and reads the predicted label from the
page, then sends a chat message and watches the reply grow while it streams. A screenshot of each goes
to build/. The helpers fail on what a learner would see go wrong: an app that exits (a model it cannot
load), a page that shows an error instead of a label, a reply that never arrives or arrives in one piece.
"""

from __future__ import annotations

import ast
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from huggingface_hub import SpaceCard

from nlpcourse.space import LOAD_ERROR, SPACE_FILES, app_source, write_space

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "build"
SENTIMENT_ID = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
START_TIMEOUT_S = 180  # two models loaded on a busy 2-core machine
REPLY_TIMEOUT_S = 60
ERROR_TOAST = '[data-testid="toast-text"].error'
LABEL = '[data-testid="label-output-value"]'
BOT = '[data-testid="bot"]'


class AppFailed(RuntimeError):
    """The app exited, or never answered, instead of serving its page."""


class PageError(AssertionError):
    """The page shows an error where a result was expected."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(folder: Path, log: Path, **env: str) -> tuple[subprocess.Popen, str]:
    """Start ``folder/app.py`` on a free port; return the process and its URL once the page answers.

    Raises :class:`AppFailed` with the app's output when it exits or does not answer in time.
    """
    port = free_port()
    environment = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
                   "GRADIO_ANALYTICS_ENABLED": "False", **env}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "app.py"], cwd=folder, env=environment, stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AppFailed(f"app.py exited with code {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return process, url
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise AppFailed(f"app.py did not answer at {url} within {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:  # a clear failure, not a skip: make test installs it (the Makefile's DEBS)
        raise RuntimeError("Debian's `chromium` is not installed: run `make debs` "
                           "(or `apt-get install chromium`)")
    return path


def wait_for_label(page, timeout_s: float = REPLY_TIMEOUT_S) -> str:
    """The label the page shows after a submit; :class:`PageError` when it shows an error instead."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if page.locator(ERROR_TOAST).count():
            raise PageError(f"the page shows an error: {page.locator(ERROR_TOAST).first.inner_text()!r}")
        label = page.locator(LABEL)
        if label.count() and label.first.inner_text().strip():
            return label.first.inner_text().strip()
        time.sleep(0.1)
    raise PageError(f"no label on the page after {timeout_s} s")


#: Records in the page every distinct text of the bot message number ``index`` (the reply to come), as
#: the browser renders it: polling from Python could miss the short-lived texts of a fast stream on a
#: busy machine.
RECORD_REPLIES = """(index) => {
    window.replies = [];
    window.replyIndex = index;
    if (window.replyObserver) return;
    window.replyObserver = new MutationObserver(() => {
        const bot = document.querySelectorAll('BOT')[window.replyIndex];
        const text = bot ? bot.innerText.trim() : "";
        if (text && window.replies[window.replies.length - 1] !== text) window.replies.push(text);
    });
    window.replyObserver.observe(document.body, {subtree: true, childList: true, characterData: true});
}""".replace("BOT", BOT)


def watch_reply(page, timeout_s: float = REPLY_TIMEOUT_S) -> list[str]:
    """Every distinct text of the reply :data:`RECORD_REPLIES` watches, once it is complete."""
    deadline = time.monotonic() + timeout_s
    seen: list[str] = []
    last_change = time.monotonic()
    while time.monotonic() < deadline:
        if page.locator(ERROR_TOAST).count():
            raise PageError(f"the page shows an error: {page.locator(ERROR_TOAST).first.inner_text()!r}")
        replies = page.evaluate("() => window.replies")
        if replies != seen:
            seen, last_change = replies, time.monotonic()
        # a finished reply: the stop button is gone and the text has not changed for a while
        elif seen and time.monotonic() - last_change > 3:
            if not page.get_by_role("button", name="Stop").count():
                return seen
        time.sleep(0.1)
    raise PageError(f"the reply did not finish within {timeout_s} s; seen so far: {seen[-1:]!r}")


def send_message(page, text: str) -> None:
    box = page.locator("textarea:visible")  # the chat's message box (the review box is on the other tab)
    assert box.count() == 1
    page.evaluate(RECORD_REPLIES, page.locator(BOT).count())
    box.fill(text)
    box.press("Enter")


@pytest.fixture(scope="module")
def space(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("space")
    write_space(folder, SENTIMENT_ID, max_new_tokens=24)
    return folder


@pytest.fixture(scope="module")
def app(space: Path) -> Iterator[str]:
    process, url = start_app(space, space / "app.log")
    yield url
    stop(process)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app: str):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(app)
    yield page
    page.close()


def submit_review(page, text: str) -> None:
    page.get_by_label("Review").fill(text)
    page.get_by_role("button", name="Submit").click()


# --- the written folder ------------------------------------------------------------------------------

def test_write_space_writes_the_three_files_with_hub_metadata(tmp_path: Path) -> None:
    paths = write_space(tmp_path / "space", SENTIMENT_ID)
    assert sorted(paths) == sorted(SPACE_FILES) and all(p.is_file() for p in paths.values())
    card = SpaceCard.load(paths["README.md"])
    assert card.data.sdk == "gradio" and card.data.app_file == "app.py"
    assert card.data.models == [SENTIMENT_ID, "HuggingFaceTB/SmolLM2-135M-Instruct"]
    assert card.data.sdk_version.count(".") == 2
    ast.parse(paths["app.py"].read_text())
    assert "transformers" in paths["requirements.txt"].read_text()


def test_a_local_folder_is_the_default_but_not_a_hub_link(tmp_path: Path) -> None:
    model = tmp_path / "my-model"
    model.mkdir()
    paths = write_space(tmp_path / "space", str(model))
    assert repr(str(model)) in paths["app.py"].read_text()
    assert SpaceCard.load(paths["README.md"]).data.models == ["HuggingFaceTB/SmolLM2-135M-Instruct"]


def test_app_source_refuses_what_cannot_run() -> None:
    with pytest.raises(ValueError, match="name the classifier"):
        app_source("")
    with pytest.raises(ValueError, match="max_new_tokens"):
        app_source(SENTIMENT_ID, max_new_tokens=0)


# --- in the browser ----------------------------------------------------------------------------------

def test_a_review_gets_its_label_in_the_browser(page) -> None:
    submit_review(page, "A warm, funny film with a wonderful cast. I loved every minute of it.")
    assert wait_for_label(page) == "POSITIVE"
    confidences = page.locator(".confidence-set").all_inner_texts()
    assert len(confidences) == 2 and all("%" in c for c in confidences), confidences
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "space-sentiment.png", full_page=True)


def test_a_chat_reply_streams_into_the_page(page) -> None:
    page.get_by_role("tab", name="Chat").click()
    send_message(page, "Write a short poem about the sea.")
    seen = watch_reply(page)
    assert len(seen) >= 3, f"the reply came in {len(seen)} piece(s), not streamed: {seen}"
    assert all(seen[-1].startswith(s) for s in seen), seen  # each text is the start of the final one
    send_message(page, "Now one about the mountains.")  # the app reads the first turn from the history
    second = watch_reply(page)
    assert second[-1] and page.locator(BOT).count() == 2, second
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "space-chat.png", full_page=True)


def test_an_error_on_the_page_fails_the_check(page) -> None:
    submit_review(page, "   ")
    with pytest.raises(PageError, match="Type a review first"):
        wait_for_label(page)


def test_an_app_whose_model_is_missing_fails_at_start(space: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(AppFailed, match=f"{LOAD_ERROR} classifier .*no-such-model"):
        stop(start_app(space, tmp_path / "app.log", CLASSIFIER=str(missing))[0])
