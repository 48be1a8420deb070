"""Count a problem by a named rule: the one entry point the CLI, the write-back and
the pages call, so each rule is chosen by its name in the round's declaration."""

from __future__ import annotations

from allocation.greedy import greedy
from allocation.mes import Progress
from allocation.mes import equal_shares
from allocation.outcome import RULES
from allocation.outcome import Outcome
from allocation.problem import Problem
from allocation.utilitarian import utilitarian


def count(
    problem: Problem, rule: str, solver: str = "cbc", progress: Progress | None = None
) -> Outcome:
    """The outcome of ``rule`` (greedy, utilitarian or mes) on ``problem``;
    ``progress`` hears how equal shares' completion advances (the other rules
    take a second or less)."""
    if rule == "greedy":
        return greedy(problem)
    if rule == "utilitarian":
        return utilitarian(problem, solver)
    if rule == "mes":
        return equal_shares(problem, progress)
    raise ValueError(f'rule "{rule}" must be one of {", ".join(RULES)}')
