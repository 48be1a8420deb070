"""The Fund page inside Fava, through Fava's own application (no browser)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from ledger.books import Books
from ledger.demo import MAIN
from ledger.fund import fund_report
from reports.fava_server import fava_app

PAGE = "/northern-federation/extension/Fund/"


@pytest.fixture(scope="module")
def client(demo_dir: Path) -> FlaskClient:
    app = fava_app(demo_dir / MAIN)
    app.testing = True
    return app.test_client()


def components(html: str) -> dict[str, Any]:
    """The JSON given to each of Fava's svelte components on the page, by type."""
    pattern = r'<svelte-component type="([a-z-]+)"><script type="application/json">'
    found = re.findall(
        pattern + r"(.*?)</script>",
        html,
        re.S,
    )
    return {kind: json.loads(payload) for kind, payload in found}


def test_fund_page_table_matches_the_fund_report(
    client: FlaskClient, demo_books: Books
) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = components(html)["query-table"]
    headings = [column["name"] for column in table["types"]]
    assert headings[:3] == ["Fund", "Cur", "Bank"]
    rows = {row[0]: dict(zip(headings, row, strict=True)) for row in table["rows"]}
    assert set(rows) == {"North", *demo_books.federation.coops, "TOTAL"}
    report = fund_report(demo_books.entries, demo_books.federation, demo_books.last_date)
    for position in report.positions:
        row = rows[position.entity.id]
        assert Decimal(str(row["Bank"])) == position.bank
        assert Decimal(str(row["Available"])) == position.available
        assert Decimal(str(row["Rent due"])) == position.rent_due
    assert f"as of {demo_books.last_date}" in html


def test_fund_page_charts_rent_by_month_and_envelopes(client: FlaskClient) -> None:
    charts = components(client.get(PAGE).get_data(as_text=True))["charts"]
    bar, hierarchy = charts
    assert bar["type"] == "bar" and hierarchy["type"] == "hierarchy"
    months = bar["data"]
    assert months[0]["date"] == "2026-01-31"
    january = months[0]
    assert january["budgets"]["EUR"] > 0, "rent due is the bar's budget"
    assert sum(v["EUR"] for v in january["account_balances"].values()) == pytest.approx(
        january["balance"]["EUR"]
    )
    funds = {node["account"]: node for node in hierarchy["data"]["children"]}
    riverside = funds["Assets:North:Riverside:Fund"]
    envelopes = {child["account"] for child in riverside["children"]}
    assert "Assets:North:Riverside:Fund:Reserve" in envelopes
    assert sum(c["balance"]["EUR"] for c in riverside["children"]) == pytest.approx(
        riverside["balance_children"]["EUR"]
    )


def test_time_filter_moves_the_as_of_date(client: FlaskClient) -> None:
    html = client.get(PAGE + "?time=2025").get_data(as_text=True)
    assert "as of 2025-12-31" in html
    bar = components(html)["charts"][0]
    assert [m["date"][:7] for m in bar["data"]][-1] == "2025-12"


def test_fund_is_fava_s_default_page_for_the_demo(client: FlaskClient) -> None:
    response = client.get("/northern-federation/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(PAGE)


def test_rounds_page_shows_each_round_with_its_commitments(
    client: FlaskClient, demo_books: Books
) -> None:
    response = client.get("/northern-federation/extension/Rounds/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.findall(r"<h3>(\S+) <small>\((\w+)\)", html) == [
        ("R2026-NORTH", "voting"),
        ("R2026-CEN", "voting"),
        ("2025", "earlier"),
        ("2024", "earlier"),
    ]
    table = r'<svelte-component type="query-table"><script type="application/json">'
    tables = re.findall(table + r"(.*?)</script>", html, re.S)
    by_proposal = {
        row[1]: row for table in map(json.loads, tables) for row in table["rows"]
    }
    assert set(by_proposal) >= {p.id for p in demo_books.agenda.proposals.values()}
    # An earlier commitment: committed, part paid out, the rest outstanding.
    _, _, title, _, _, _, committed, disbursed, outstanding, _, _ = by_proposal["P24-03"]
    assert title == "Energy retrofit of the Wash House"
    assert (committed, disbursed, outstanding) == (45000, 30000, 15000)
    chart = components(html)["charts"][0]
    assert chart["label"] == "Disbursed against committed, per round"
    assert len(chart["data"]) == 2, "one bar per round with commitments"
