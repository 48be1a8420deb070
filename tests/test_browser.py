"""A real ``coopfund serve`` of the demo, driven by headless Chromium."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from ledger.books import Books

pytestmark = pytest.mark.browser


def wait_for_heading(browser: Any, start: str) -> None:
    """Wait up to 30 s for the page's heading to start with ``start`` (a timeout
    fails the test). Fava redraws a page as it loads, so the heading is found
    afresh each time."""
    WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda driver: driver.find_element(By.TAG_NAME, "h2").text.startswith(start),
        message=f"the page's heading never started with {start!r}",
    )


def cells(browser: Any, rows: str) -> list[list[str]]:
    """The text of each cell of the rows matching ``rows``, read in one go.

    Fava's pages may redraw a table while a test walks it; one script call reads
    a consistent snapshot instead of elements that may go stale.
    """
    script = (
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".map(row => Array.from(row.cells).map(cell => cell.innerText.trim()));"
    )
    found: list[list[str]] = browser.execute_script(script, rows)
    return found


def test_fund_page_shows_the_coops_and_a_rendered_chart(
    fava_url: str, browser: Any, demo_books: Books
) -> None:
    browser.get(f"{fava_url}/northern-federation/extension/Fund/")
    wait = WebDriverWait(browser, 30)
    wait.until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "#coopfund-fund-table table")
        )
    )
    first_cells = [row[0] for row in cells(browser, "#coopfund-fund-table tbody tr")]
    assert first_cells == ["North", *demo_books.federation.coops, "TOTAL"]
    bars = wait.until(
        lambda driver: driver.find_elements(
            By.CSS_SELECTOR, "#coopfund-fund-charts svg rect"
        )
    )
    assert len(bars) >= 10, "one bar or more per month of the year"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_federation_page_shows_each_level_with_its_total_and_a_chart(
    fava_url: str, browser: Any, demo_books: Books
) -> None:
    browser.get(f"{fava_url}/northern-federation/extension/Federation/?time=2026")
    wait = WebDriverWait(browser, 30)
    wait.until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "#coopfund-federation-table table")
        )
    )
    rows = cells(browser, "#coopfund-federation-table tbody tr")
    coops = sorted(demo_books.federation.coops)
    assert [row[0] for row in rows] == ["North", *coops, "North total"]
    assert [row[1] for row in rows] == ["region"] + ["co-op"] * len(coops) + ["total"]

    def number(text: str) -> Decimal:
        return Decimal(text.replace(",", "") or "0")

    bank = [number(row[-1]) for row in rows]
    assert bank[-1] == sum(bank[:-1]) > 0
    owed = cells(browser, "#coopfund-federation-levies tbody tr")
    assert [row[:3] for row in owed] == [["Eastgate", "2025", "EUR"]], "the unpaid levy"
    drill = browser.find_elements(By.CSS_SELECTOR, "#coopfund-federation-drill-down a")
    assert any("account=North%3ARiverside" in a.get_attribute("href") for a in drill)
    bars = wait.until(
        lambda driver: driver.find_elements(
            By.CSS_SELECTOR, "#coopfund-federation-charts svg rect"
        )
    )
    assert len(bars) >= 3, "a bar per year of the books"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    browser.get(f"{fava_url}/northern-federation/extension/Federation/?time=2026-Q3")
    wait_for_heading(browser, "The federation, 2026-Q3, as of 2026-09-30")


def test_rent_roll_page_shows_the_collectives_in_arrears(
    fava_url: str, browser: Any
) -> None:
    browser.get(f"{fava_url}/northern-federation/extension/RentRoll/?time=2026-10")
    wait = WebDriverWait(browser, 30)
    wait.until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "table.coopfund-rent-roll")
        )
    )
    owing = {
        row[0]: row[10]
        for row in cells(browser, "table.coopfund-rent-roll tbody tr")
        if row[0] != "Total" and row[5] != "0.00"
    }
    assert {"Brewery", "Laundry", "Carpentry"} <= set(owing)
    assert owing["Brewery"] == "7,600.00", "July and August are over 90 days late"
    assert wait.until(
        lambda driver: driver.find_elements(
            By.CSS_SELECTOR, "#coopfund-aging-chart svg rect"
        )
    )
    # Fava may redraw the page under the link: find it afresh until the click lands.
    WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda driver: driver.find_element(By.LINK_TEXT, "Brewery").click() or True
    )
    wait_for_heading(browser, "Statement of Oakfield Brewers")


def test_rounds_page_shows_rounds_proposals_and_commitments(
    fava_url: str, browser: Any, demo_books: Books
) -> None:
    browser.get(f"{fava_url}/northern-federation/extension/Rounds/")
    wait = WebDriverWait(browser, 30)
    wait.until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "#round-R2026-CEN table")
        )
    )
    proposals = [row[1] for row in cells(browser, "#round-R2026-CEN tbody tr")]
    assert proposals == [p.id for p in demo_books.agenda.ballot("R2026-CEN")]
    earlier = browser.find_element(By.CSS_SELECTOR, "#round-2024").text
    assert "Energy retrofit of the Wash House" in earlier
    assert "Committed 129,000.00, disbursed 114,000.00." in earlier
    bars = wait.until(
        lambda driver: driver.find_elements(
            By.CSS_SELECTOR, "#coopfund-rounds-charts svg rect"
        )
    )
    assert bars, "the chart of disbursed against committed is drawn"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_rounds_page_shows_a_counted_round_and_why(
    counted_fava_url: str, browser: Any
) -> None:
    browser.get(f"{counted_fava_url}/northern-federation/extension/Rounds/")
    wait = WebDriverWait(browser, 30)
    wait.until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "#round-R2026-NORTH table")
        )
    )
    north = browser.find_element(By.ID, "round-R2026-NORTH")
    assert "(counted)" in north.find_element(By.CSS_SELECTOR, "h3").text
    assert "rule mes" in north.text
    rows = cells(browser, "#round-R2026-NORTH tbody tr")
    assert [row[0] for row in rows] == ["1", "2", "3", "4", "5", "6"], "by rank"
    funded = [row for row in rows if row[6] not in ("", "0.00")]
    left_out = [row for row in rows if row[6] in ("", "0.00")]
    assert funded and left_out
    assert all(row[9] for row in left_out), "each left-out proposal says what it lacked"
    assert "Committed 200,000.00" in north.text
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
