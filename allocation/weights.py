"""How much each ballot weighs: the ``weighting`` rule of a federation-wide round.

A region's round is voted by the members of all its co-ops, and how their ballots
add up is a declared parameter of the round, because co-operative federations
answer it in different ways (ICA's second principle leaves it to them):

* ``member`` (the default): one member, one vote; every ballot weighs 1. A co-op
  of 4,000 members then outvotes one of 40 a hundred times over.
* ``coop``: one co-op, one vote, as in a secondary co-op whose members are
  co-ops. The ballots of each co-op that cast any weigh together the same: a
  ballot of co-op c weighs ``N / (K * n_c)``, where N is the number of ballots
  counted, K the number of co-ops that cast at least one and n_c the number
  co-op c cast. A co-op whose members stayed home has no say, and does not dilute
  the others'.
* ``class``: worker-members and consumer-members weigh half and half, as at
  Eroski, where neither class can outvote the other however many more consumers
  there are. The same formula with the two classes as the groups: a worker
  ballot weighs ``N / (2 * n_workers)``; if one class cast no ballot, K is 1 and
  the other carries all the weight (every ballot weighs 1).

In every case the weights add up to N, the number of ballots: weighing moves
voting power between ballots and never creates or destroys any, so weighted
points stay on the scale of the ballots, and equal shares, which gives each
voter a part of the budget in proportion to its weight, still gives out the
whole budget.
"""

from __future__ import annotations

import pandas as pd

from allocation.register import CLASSES
from ledger.proposals import WEIGHTINGS


def voter_weights(voters: pd.DataFrame, weighting: str) -> pd.Series:
    """The weight of each voter of ``voters`` (by its index) under ``weighting``.

    ``voters`` needs the column the weighting is named after (``coop`` or
    ``class``: the groups it weighs equally), known for every voter: a ballot
    without a group cannot be given its share, and guessing one would move votes,
    so ValueError says which are missing.
    """
    if weighting not in WEIGHTINGS:
        allowed = ", ".join(f'"{w}"' for w in WEIGHTINGS)
        raise ValueError(f'weighting "{weighting}" must be one of {allowed}')
    if weighting == "member":
        return pd.Series(1.0, index=voters.index, name="weight")
    groups = _groups(voters, weighting)
    sizes = groups.map(groups.value_counts())
    weights = len(voters) / (groups.nunique() * sizes.astype("float64"))
    return weights.rename("weight")


def _groups(voters: pd.DataFrame, column: str) -> pd.Series:
    """Each voter's group by ``column``, checked: known for all, and a class a
    register can hold."""
    if column not in voters:
        raise ValueError(
            f'weighting "{column}" needs each voter\'s {column}, and the voters have none'
        )
    groups = voters[column].fillna("").astype(str)
    missing = groups.index[groups == ""]
    if len(missing):
        raise ValueError(
            f'weighting "{column}" needs each voter\'s {column}: {len(missing)} '
            f"voter(s) have none, such as {missing[0]}"
        )
    if column == "class":
        unknown = sorted(set(groups) - set(CLASSES))
        if unknown:
            allowed = " or ".join(f'"{c}"' for c in CLASSES)
            raise ValueError(f'class "{unknown[0]}" must be {allowed} to weigh by class')
    return groups
