"""Ballot lengths, which the Borda rule needs for every vote, against a plain
group-by: the shortcut for tables listed ballot by ballot must give the same
lengths, and any other table must fall back to grouping."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from allocation.scores import ballot_lengths

#: Ballots as (voter, how many projects it ranks), in the order they are listed.
ballots = st.lists(st.tuples(st.integers(0, 6), st.integers(1, 4)), min_size=1, max_size=12)


def _table(listed: list[tuple[int, int]], categories: bool) -> pd.DataFrame:
    rows = [(f"V{voter}", n + 1) for voter, size in listed for n in range(size)]
    votes = pd.DataFrame(rows, columns=["voter", "position"])
    if categories:
        votes["voter"] = votes["voter"].astype("category")
    return votes


def _grouped(votes: pd.DataFrame) -> np.ndarray:
    return np.asarray(
        votes.groupby("voter", observed=True)["position"].transform("size"), dtype=float
    )


@given(ballots, st.booleans(), st.randoms(use_true_random=False))
def test_lengths_equal_a_group_by_voter(
    listed: list[tuple[int, int]], categories: bool, shuffle: random.Random
) -> None:
    # One ballot per voter, as a count holds them.
    unique = list({voter: (voter, size) for voter, size in reversed(listed)}.values())
    votes = _table(unique, categories)
    assert np.array_equal(ballot_lengths(votes), _grouped(votes))
    mixed = votes.sample(frac=1, random_state=shuffle.randrange(1000))
    assert np.array_equal(ballot_lengths(mixed), _grouped(mixed))


def test_a_position_that_skips_is_grouped() -> None:
    votes = pd.DataFrame({"voter": ["A", "A", "B"], "position": [1, 3, 1]})
    assert ballot_lengths(votes).tolist() == [2.0, 2.0, 1.0]
