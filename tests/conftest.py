"""Shared fixtures: docstring ledgers, the demo federation, a live Fava, a browser."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from ledger.books import Books
from ledger.books import load_books
from ledger.demo import MAIN
from ledger.demo import write_demo


@dataclass
class Loaded:
    """A ledger loaded from a test's docstring, written to a real file."""

    path: Path
    entries: list[data.Directive]
    errors: list[Any]
    options: dict[str, Any]

    def messages(self) -> list[str]:
        """``file:line: message`` for each error, as bean-check prints them."""
        return [
            f"{e.source['filename']}:{e.source['lineno']}: {e.message}" for e in self.errors
        ]


def load_text(path: Path, text: str) -> Loaded:
    """Write ``text`` to ``path`` and load it the way bean-check does."""
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    entries, errors, options = loader.load_file(str(path))
    return Loaded(path, entries, errors, options)


@pytest.fixture
def load_doc(request: pytest.FixtureRequest, tmp_path: Path) -> Loaded:
    """The test function's docstring, loaded as a ledger file named ``ledger.beancount``."""
    doc = request.function.__doc__
    assert doc, "a test using load_doc needs a ledger in its docstring"
    return load_text(tmp_path / "ledger.beancount", doc)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo federation, written once for the whole session."""
    target = tmp_path_factory.mktemp("demo") / "federation"
    write_demo(target)
    return target


@pytest.fixture(scope="session")
def demo_books(demo_dir: Path) -> Books:
    """The demo federation, loaded with the plugin."""
    return load_books(demo_dir / MAIN)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"the server exited early:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds} s")


#: The demo's counting day: its rounds closed the day before.
COUNTING_DAY = "2026-12-14"


def run_coopfund(*arguments: str) -> str:
    """Run ``coopfund`` with ``arguments`` as a user would; its output."""
    coopfund = Path(sys.executable).with_name("coopfund")
    done = subprocess.run(
        [str(coopfund), *arguments], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"coopfund {' '.join(arguments)}:\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="session")
def counted_demo(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo after the README's loop: register and ballots imported,
    both rounds counted on counting day. Its main ledger file; do not change it."""
    copy = tmp_path_factory.mktemp("counted") / "federation"
    shutil.copytree(demo_dir, copy)
    ledger = str(copy / MAIN)
    run_coopfund("members", "import", ledger, str(copy / "members.csv"))
    for voting in ("R2026-CEN", "R2026-NORTH"):
        run_coopfund(
            "round",
            "import-ballots",
            ledger,
            voting,
            str(copy / "ballots" / f"{voting}.csv"),
        )
        run_coopfund("allocate", ledger, voting, "--as-of", COUNTING_DAY)
    return copy / MAIN


def serve_fava(ledger: Path) -> Iterator[str]:
    """A real ``coopfund serve`` of ``ledger`` on a free loopback port; its base URL."""
    port = free_port()
    coopfund = Path(sys.executable).with_name("coopfund")
    process = subprocess.Popen(
        [str(coopfund), "serve", str(ledger), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def fava_url(demo_dir: Path) -> Iterator[str]:
    """Fava serving the demo as written."""
    yield from serve_fava(demo_dir / MAIN)


@pytest.fixture(scope="session")
def counted_fava_url(counted_demo: Path) -> Iterator[str]:
    """Fava serving the demo after its rounds were counted."""
    yield from serve_fava(counted_demo)


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Debian Chromium driven by Selenium (no browser download)."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail(
            "Chromium is missing: install Debian's chromium and chromium-driver "
            "(scripts/test does this for you)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1600",
    ):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
