"""A real ``coopfund serve`` of the demo, driven by headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from ledger.books import Books

pytestmark = pytest.mark.browser


def test_fund_page_shows_the_coops_and_a_rendered_chart(
    fava_url: str, browser: Any, demo_books: Books
) -> None:
    browser.get(f"{fava_url}/northern-federation/extension/Fund/")
    wait = WebDriverWait(browser, 30)
    table = wait.until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "#coopfund-fund-table table")
        )
    )
    first_cells = [
        row.find_elements(By.CSS_SELECTOR, "td")[0].text
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]
    assert first_cells == ["North", *demo_books.federation.coops, "TOTAL"]
    bars = wait.until(
        lambda driver: driver.find_elements(
            By.CSS_SELECTOR, "#coopfund-fund-charts svg rect"
        )
    )
    assert len(bars) >= 10, "one bar or more per month of the year"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
