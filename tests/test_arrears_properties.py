"""Properties of first-in-first-out settlement, for any order of charges and payments."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ledger.arrears import TenantLedger
from ledger.arrears import aging
from ledger.tenancy import TenantPosition

START = datetime.date(2024, 1, 1)
amounts = st.integers(min_value=1, max_value=500_000).map(
    lambda cents: Decimal(cents) / 100
)
events = st.lists(
    st.tuples(st.sampled_from(["charge", "payment"]), amounts, st.integers(0, 900)),
    max_size=40,
)


def replay(sequence: list[tuple[str, Decimal, int]]) -> TenantLedger:
    ledger = TenantLedger()
    for kind, amount, day in sorted(sequence, key=lambda event: event[2]):
        if kind == "charge":
            ledger.debit(START + datetime.timedelta(days=day), amount, "L1")
        else:
            ledger.settle(amount)
    return ledger


@given(events, st.integers(0, 2000))
def test_aging_buckets_add_up_to_the_balance(sequence, days_after) -> None:
    ledger = replay(sequence)
    as_of = START + datetime.timedelta(days=900 + days_after)
    assert sum(aging(ledger.open_items, as_of).values()) == ledger.balance
    charged = sum((a for k, a, _ in sequence if k == "charge"), Decimal(0))
    paid = sum((a for k, a, _ in sequence if k == "payment"), Decimal(0))
    assert ledger.balance == max(charged - paid, Decimal(0))
    assert ledger.total_credit == max(paid - charged, Decimal(0))


@given(events)
def test_a_payment_never_reaches_a_later_charge_while_an_earlier_one_is_open(
    sequence,
) -> None:
    items = replay(sequence).items
    first_open = next((i for i, item in enumerate(items) if item.remaining), len(items))
    assert all(item.remaining == 0 for item in items[:first_open])
    assert all(item.remaining == item.amount for item in items[first_open + 1 :])


@given(events)
def test_credit_appears_only_when_everything_due_is_paid(sequence) -> None:
    ledger = TenantLedger()
    position = TenantPosition()
    for kind, amount, day in sorted(sequence, key=lambda event: event[2]):
        if kind == "charge":
            ledger.debit(START + datetime.timedelta(days=day), amount, "L1")
            applied = position.charge(amount)
            if applied:  # as the plugin books it: from prepaid credit to the charge
                ledger.settle(applied)
                ledger.credit["L1"] -= applied
        else:
            settles, credit = position.pay(amount)
            ledger.settle(settles)
            ledger.credit["L1"] += credit
        assert not (position.credit > 0 and position.owed > 0)
        assert not (ledger.total_credit > 0 and ledger.balance > 0)
        assert ledger.balance == position.owed
