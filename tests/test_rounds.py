"""Rounds and proposals declared in the ledger: read, checked, and their accounts opened."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data

from ledger.books import Books
from ledger.books import books_from
from tests.conftest import load_text

HEADER = """\
option "operating_currency" "EUR"
plugin "ledger.plugin"
2026-01-01 custom "region" "North"
2026-01-01 custom "coop" "Riverside"
  region: "North"
2026-01-01 custom "collective" "Bakery"
  coop: "Riverside"
2026-11-01 custom "round" "R1"
  scope: "Riverside"
  closes: 2026-11-30
  cutoff: 2026-10-15
  max-ranks: 2
  points: "fixed:3,1"
  budget: 50000.00 EUR
  rule: "greedy"
  quorum: "5%"
  conflict: "exclude"
2026-11-01 custom "proposal" "P1"
  title: "Oven"
  cost: 12000.00 EUR
  minimum: 8000.00 EUR
  scope: "Riverside"
  round: "R1"
  instrument: "loan"
  collective: "Bakery"
  category: "workplace"
"""


def test_rounds_and_proposals_are_read_with_their_rules(tmp_path: Path) -> None:
    loaded = load_text(tmp_path / "ledger.beancount", HEADER)
    assert not loaded.errors, loaded.messages()
    books = books_from(loaded.entries, loaded.errors, loaded.options)
    voting = books.agenda.rounds["R1"]
    assert (voting.opens, voting.closes, voting.cutoff) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 30),
        datetime.date(2026, 10, 15),
    )
    assert (voting.max_ranks, voting.points, voting.budget, voting.rule) == (
        2,
        "fixed:3,1",
        Decimal("50000.00"),
        "greedy",
    )
    assert voting.quorum_for(1234) == 62, "5 % of 1,234, rounded up"
    assert voting.is_open_on(datetime.date(2026, 11, 30))
    assert not voting.is_open_on(datetime.date(2026, 12, 1))
    (oven,) = books.agenda.ballot("R1")
    assert (oven.cost, oven.minimum, oven.collective) == (
        Decimal("12000.00"),
        Decimal("8000.00"),
        "Bakery",
    )
    opens = {e.account for e in loaded.entries if isinstance(e, data.Open)}
    assert {
        "Assets:North:Riverside:Fund:Committed:P1",
        "Assets:North:Riverside:Loans:P1",
    } <= opens


def test_a_round_declares_its_options(tmp_path: Path) -> None:
    text = HEADER.replace(
        '  conflict: "exclude"\n',
        '  conflict: "exclude"\n  partial: TRUE\n  cap-energy: 9000.00 EUR\n'
        '  max-coop-share: "40%"\n  coop-floors: TRUE\n',
    ) + (
        '2026-11-01 custom "proposal" "P2"\n  title: "Flue"\n  cost: 3000.00 EUR\n'
        '  scope: "Riverside"\n  round: "R1"\n  requires: "P1"\n  excludes: "P3"\n'
        '2026-11-01 custom "proposal" "P3"\n  title: "Chimney"\n  cost: 4000.00 EUR\n'
        '  scope: "Riverside"\n  round: "R1"\n'
    )
    loaded = load_text(tmp_path / "ledger.beancount", text)
    assert not loaded.errors, loaded.messages()
    agenda = books_from(loaded.entries, loaded.errors, loaded.options).agenda
    voting = agenda.rounds["R1"]
    assert voting.partial and voting.coop_floors
    assert voting.caps == (("energy", Decimal("9000.00")),)
    assert voting.max_coop_share == Decimal("0.4")
    assert (agenda.proposals["P2"].requires, agenda.proposals["P2"].excludes) == (
        ("P1",),
        ("P3",),
    )


CASES = {
    "unknown scope": (
        'custom "round" "R2"\n  scope: "Hill"\n  closes: 2026-12-01\n'
        "  cutoff: 2026-10-01\n",
        'scope "Hill" is neither',
    ),
    "closes before it opens": (
        'custom "round" "R2"\n  scope: "Riverside"\n  closes: 2026-10-01\n'
        "  cutoff: 2026-10-01\n",
        "closes 2026-10-01, before it opens 2026-11-02",
    ),
    "cutoff after opening": (
        'custom "round" "R2"\n  scope: "Riverside"\n  closes: 2026-12-01\n'
        "  cutoff: 2026-11-20\n",
        "the cutoff 2026-11-20 is after voting opens",
    ),
    "bad points rule": (
        'custom "round" "R2"\n  scope: "Riverside"\n  closes: 2026-12-01\n'
        '  cutoff: 2026-10-01\n  points: "3-2-1"\n',
        'points "3-2-1" must be',
    ),
    "bad budget": (
        'custom "round" "R2"\n  scope: "Riverside"\n  closes: 2026-12-01\n'
        '  cutoff: 2026-10-01\n  budget: "lots"\n',
        'budget "lots" must be "available" or an amount',
    ),
    "proposal for an unknown round": (
        'custom "proposal" "P2"\n  title: "x"\n  cost: 10.00 EUR\n  scope: "Riverside"\n'
        '  round: "R9"\n',
        'proposal "P2" is for round "R9", which is not declared',
    ),
    "minimum above cost": (
        'custom "proposal" "P2"\n  title: "x"\n  cost: 10.00 EUR\n  minimum: 20.00 EUR\n'
        '  scope: "Riverside"\n  round: "R1"\n',
        "minimum 20.00 must be above zero and at most the cost 10.00",
    ),
    "proposal id unusable in an account": (
        'custom "proposal" "p2"\n  title: "x"\n  cost: 10.00 EUR\n  scope: "Riverside"\n'
        '  round: "R1"\n',
        'proposal id "p2" must start with a capital letter',
    ),
    "requires an unknown proposal": (
        'custom "proposal" "P2"\n  title: "x"\n  cost: 10.00 EUR\n  scope: "Riverside"\n'
        '  round: "R1"\n  requires: "P9"\n',
        'proposal "P2" names "P9", which is not another proposal of round "R1"',
    ),
    "bad share": (
        'custom "round" "R2"\n  scope: "Riverside"\n  closes: 2026-12-01\n'
        '  cutoff: 2026-10-01\n  max-coop-share: "half"\n',
        'max-coop-share "half" must be a share such as "40%"',
    ),
    "partial is not a flag": (
        'custom "round" "R2"\n  scope: "Riverside"\n  closes: 2026-12-01\n'
        '  cutoff: 2026-10-01\n  partial: "yes"\n',
        'field "partial" must be TRUE or FALSE',
    ),
    "bad instrument": (
        'custom "proposal" "P2"\n  title: "x"\n  cost: 10.00 EUR\n  scope: "Riverside"\n'
        '  round: "R1"\n  instrument: "gift"\n',
        'field "instrument" must be one of "grant", "loan", "equity"',
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bad_round_or_proposal_is_an_error_at_its_line(case: str, tmp_path: Path) -> None:
    text, message = CASES[case]
    loaded = load_text(tmp_path / "ledger.beancount", HEADER + "2026-11-02 " + text)
    line = HEADER.count("\n") + 1
    assert [(e.source["lineno"], message in e.message) for e in loaded.errors] == [
        (line, True)
    ], loaded.messages()


def test_the_demo_declares_two_open_rounds(demo_books: Books) -> None:
    rounds = demo_books.agenda.rounds
    assert set(rounds) == {"R2026-CEN", "R2026-NORTH"}
    assert rounds["R2026-NORTH"].budget == Decimal("200000.00")
    assert rounds["R2026-CEN"].budget is None, "what Central's fund has available"
    assert [p.id for p in demo_books.agenda.ballot("R2026-CEN")] == [
        f"P26-C{n}" for n in range(1, 7)
    ]
