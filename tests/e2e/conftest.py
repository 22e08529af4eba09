"""Browser fixtures: a real Streamlit server on localhost over a demo store, and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _need_browser() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("no system Chromium (apt-get install chromium) — browser tests skipped")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_app(db: Path, log_path: Path, no_demo: bool = False, extra_args: Sequence[str] = ()) -> Iterator[str]:
    """`streamlit run app.py` on a free localhost port over the store ``db``; yields the base URL, stops it after."""
    port = _free_port()
    env = {**os.environ, "CXDASH_DATABASE_URL": f"sqlite:///{db}"}
    env.pop("CXDASH_NO_DEMO", None)
    if no_demo:
        env["CXDASH_NO_DEMO"] = "1"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1", *extra_args],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 90
            while time.time() < deadline:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.5)
            else:
                raise RuntimeError(f"streamlit did not start within 90 s (log: {log_path})")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def server_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the shared server's store and log."""
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def server(server_files: Path) -> Iterator[str]:
    """The app over a fresh store (filled with the demo on first start, as a new user's would be)."""
    _need_browser()
    with running_app(server_files / "e2e.db", server_files / "streamlit.log") as url:
        yield url


@pytest.fixture
def server_log(server: str, server_files: Path) -> Path:
    """What the shared server has printed so far (stdout and stderr)."""
    return server_files / "streamlit.log"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="en-US")  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def shot(page: object, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ (CI keeps them; we look at them)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def wait_idle(page: object, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no 'Running…' status widget)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSpinner\"]')"
        " && !document.querySelector('[role=\"dialog\"]')",
        timeout=timeout,
    )
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
