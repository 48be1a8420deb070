"""What a rule decided: the money per project, and how good that is by its measure."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: The rules a round may choose (``custom "round"``'s ``rule``).
RULES = ("greedy", "utilitarian", "mes")


@dataclass(frozen=True, eq=False)
class Outcome:
    """A rule's decision on a :class:`~allocation.problem.Problem`.

    ``funded`` holds the money each project gets, in the problem's project order:
    its cost, a part of it (partial funding), or 0. ``objective`` is the total
    points of what is funded (a partly funded project counts pro rata). ``tied``
    lists the other selections that were exactly as good before the declared
    tie-break chose this one, so a result can say that it was decided by a tie.
    """

    rule: str
    funded: pd.Series
    objective: float
    solver: str
    tied: tuple[frozenset[str], ...] = ()

    @property
    def selected(self) -> list[str]:
        """The funded projects, in the problem's order."""
        return [str(p) for p in self.funded.index[self.funded > 0]]

    @property
    def cost(self) -> float:
        """The money spent."""
        return float(self.funded.sum())


def objective_of(projects: pd.DataFrame, funded: pd.Series) -> float:
    """Total points of ``funded``, each project counted by the share of its cost funded."""
    share = funded / projects["cost"].where(projects["cost"] > 0, 1.0)
    return float((projects["points"] * share).sum())
