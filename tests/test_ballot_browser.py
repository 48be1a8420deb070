"""A member votes on the real ballot site (``coopfund vote serve``) in headless Chromium.

Keyboard first (the "Add", "Up" buttons, pressed with Enter), then a drag with the
mouse; the stored ballot must be the ranking on the screen, and voting again must
replace it.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from allocation.ballots import current_ballots
from allocation.ballots import history
from allocation.store import open_store
from allocation.store import store_path
from ledger.demo import MAIN
from reports.cli import main
from tests.conftest import free_port
from tests.conftest import wait_for

pytestmark = pytest.mark.browser
ROUND = "R2026-CEN"


@pytest.fixture
def site(demo_dir: Path, tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """The ballot site of a copy of the demo; its URL, ledger and codes by member."""
    copy = tmp_path / "federation"
    shutil.copytree(demo_dir, copy)
    ledger = copy / MAIN
    runner = CliRunner()
    for command in (
        ["members", "import", str(ledger), str(copy / "members.csv")],
        [
            "round",
            "codes",
            str(ledger),
            ROUND,
            "--out",
            str(tmp_path),
            "--as-of",
            "2026-11-20",
        ],
    ):
        result = runner.invoke(main, command)
        assert result.exit_code == 0, result.output
    with (tmp_path / f"{ROUND}-codes.csv").open(encoding="utf-8") as handle:
        codes = {row["member_id"]: row["code"] for row in csv.DictReader(handle)}
    port = free_port()
    coopfund = Path(sys.executable).with_name("coopfund")
    process = subprocess.Popen(
        [str(coopfund), "vote", "serve", str(ledger), "--port", str(port),
         "--as-of", "2026-11-20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/", process)
        yield url, ledger, codes
    finally:
        process.terminate()
        process.wait(timeout=20)


def press(browser: Any, element_id: str) -> None:
    """Focus a button and press Enter, as a keyboard user would."""
    browser.find_element(By.ID, element_id).send_keys(Keys.ENTER)


def shown_ranking(browser: Any) -> list[str]:
    items = browser.find_elements(By.CSS_SELECTOR, "#ranking li")
    return [item.get_attribute("data-id") for item in items]


def test_rank_by_keyboard_and_drag_confirm_and_get_a_receipt(
    site: tuple[str, Path, dict[str, str]], browser: Any
) -> None:
    url, ledger, codes = site
    member, code = sorted(codes.items())[0]
    wait = WebDriverWait(browser, 30)
    browser.get(f"{url}/round/{ROUND}")
    browser.find_element(By.ID, "code").send_keys(code, Keys.ENTER)
    wait.until(expected_conditions.presence_of_element_located((By.ID, "ranking")))
    assert not browser.find_element(By.ID, "ranks").is_displayed(), "selects hidden"
    for proposal in ("P26-C1", "P26-C3", "P26-C6"):
        press(browser, f"add-{proposal}")
    press(browser, "P26-C6-up")
    assert shown_ranking(browser) == ["P26-C1", "P26-C6", "P26-C3"]
    assert browser.switch_to.active_element.get_attribute("id") == "P26-C6-up"
    # Drag the first choice below the last one.
    first = browser.find_element(By.CSS_SELECTOR, "#ranked-P26-C1 .label")
    last = browser.find_element(By.ID, "ranked-P26-C3")
    below = last.size["height"] // 2 + 8
    ActionChains(browser).click_and_hold(first).move_to_element_with_offset(
        last, 0, below
    ).release().perform()
    assert shown_ranking(browser) == ["P26-C6", "P26-C3", "P26-C1"]
    browser.find_element(By.ID, "review").click()
    confirm = wait.until(expected_conditions.element_to_be_clickable((By.ID, "confirm")))
    assert "Heat pumps" in browser.find_element(By.ID, "confirm-ranking").text
    confirm.click()
    receipt = wait.until(
        expected_conditions.presence_of_element_located((By.ID, "receipt"))
    ).text
    connection = open_store(store_path(ledger))
    (ballot,) = current_ballots(connection, ROUND)
    assert (ballot.member_id, ballot.ranking, ballot.receipt) == (
        member,
        ("P26-C6", "P26-C3", "P26-C1"),
        receipt,
    )

    # Change the ballot: the page starts from the current one; remove a choice.
    browser.get(f"{url}/round/{ROUND}/ballot")
    wait.until(expected_conditions.presence_of_element_located((By.ID, "ranking")))
    assert shown_ranking(browser) == ["P26-C6", "P26-C3", "P26-C1"]
    press(browser, "P26-C3-remove")
    browser.find_element(By.ID, "review").click()
    wait.until(expected_conditions.element_to_be_clickable((By.ID, "confirm"))).click()
    wait.until(expected_conditions.presence_of_element_located((By.ID, "receipt")))
    assert [b.ranking for b in current_ballots(connection, ROUND)] == [("P26-C6", "P26-C1")]
    assert len(history(connection, ROUND, member)) == 2
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
