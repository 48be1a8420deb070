"""Investment proposals and the rounds in which members rank them.

Both are declared in the ledger, so what was on the ballot, and under which rules,
is part of the books::

    2026-10-01 custom "proposal" "P26-03"
      title: "Solar roof for the Maltings"
      cost: 48000.00 EUR
      minimum: 30000.00 EUR        ; optional: the least it can usefully be funded with
      scope: "Oakfield"            ; the co-op (or region) whose fund it asks money of
      round: "R2026-OAK"           ; the round whose ballot lists it
      instrument: "loan"           ; "grant", "loan" or "equity"
      collective: "Brewery"        ; optional: the sponsoring collective
      category: "energy"
      description: "Panels on the south roof; the brewery repays from saved power."
      regional: TRUE               ; optional: the region's to decide, whatever it costs
      requires: "P26-01"           ; optional: funded only if these are (ids, by spaces)
      excludes: "P26-04"           ; optional: never funded together with these

    2026-11-02 custom "round" "R2026-OAK"   ; the directive's date: voting opens
      scope: "Oakfield"            ; whose members vote, and whose fund pays
      closes: 2026-12-13           ; the last day of voting
      cutoff: 2026-10-01           ; members of record that day (and not left) vote
      max-ranks: 3                 ; how many proposals a ballot may rank
      points: "borda"              ; "borda" (k..1 for a ballot ranking k),
                                   ; "fixed:3,2,1", or "harmonic" (1/rank)
      budget: "available"          ; what the fund has available at close, or an
                                   ; amount such as 60000.00 EUR
      rule: "utilitarian"          ; "greedy", "utilitarian" or "mes"
      quorum: "5%"                 ; of the eligible members, or a number: "50"
      conflict: "report"           ; a worker ranking its own collective's proposal:
                                   ; "allow", "report" or "exclude"
      partial: TRUE                ; optional: fund proposals down to their minimum
      cap-energy: 50000.00 EUR     ; optional: the most a category may get together
      max-coop-share: "40%"        ; optional: the most one co-op's proposals may get
      coop-floors: TRUE            ; optional: each co-op's voters get at least what
                                   ; their share of the budget would buy them alone
      weighting: "member"          ; a region's round: "member" (one member one vote),
                                   ; "coop" (each co-op's ballots weigh the same
                                   ; together) or "class" (worker and consumer ballots
                                   ; weigh half each); a co-op's round: "member" only

Which round decides what: a proposal declared ``regional``, or dearer than its
region's ``local-limit`` (see :mod:`ledger.federation`), must be on a round of the
region; every other proposal may be on its co-op's round.

A proposal's id becomes part of account names (the money committed to it), so it
starts with a capital letter. Every problem is reported at its directive's line.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from ledger import directives
from ledger.errors import FieldError
from ledger.errors import RoundError
from ledger.federation import Federation

INSTRUMENTS = ("grant", "loan", "equity")
RULES = ("greedy", "utilitarian", "mes")
#: How a round weighs its ballots (see :mod:`allocation.weights`).
WEIGHTINGS = ("member", "coop", "class")
CONFLICT_POLICIES = ("allow", "report", "exclude")
_POINTS = re.compile(r"^(borda|harmonic|fixed:\d+(,\d+)*)$")
_QUORUM = re.compile(r"^(\d+(\.\d+)?%|\d+)$")
_SHARE = re.compile(r"^\d+(\.\d+)?%$")


@dataclass(frozen=True)
class Proposal:
    """A proposal on a round's ballot."""

    id: str
    title: str
    cost: Decimal
    minimum: Decimal | None
    currency: str
    scope: str
    round: str
    instrument: str
    collective: str | None
    category: str
    description: str
    declared: datetime.date
    source: data.Meta
    #: Proposals this one may be funded only with.
    requires: tuple[str, ...] = ()
    #: Proposals this one may never be funded with.
    excludes: tuple[str, ...] = ()
    #: Declared the region's to decide, whatever it costs.
    regional: bool = False


@dataclass(frozen=True)
class Round:
    """A round of voting: who votes, on what, until when, and how it is counted."""

    id: str
    scope: str
    opens: datetime.date
    closes: datetime.date
    cutoff: datetime.date
    max_ranks: int
    points: str
    #: None: what the fund has available when the round closes.
    budget: Decimal | None
    rule: str
    #: "5%" of the eligible members, or a number of ballots such as "50".
    quorum: str
    conflict: str
    source: data.Meta
    partial: bool = False
    #: Category -> the most its proposals may get together.
    caps: tuple[tuple[str, Decimal], ...] = ()
    #: The most one co-op's proposals may get, as a share of the budget (0..1).
    max_coop_share: Decimal | None = None
    coop_floors: bool = False
    #: One of WEIGHTINGS; anything but "member" only in a region's round.
    weighting: str = "member"

    def is_open_on(self, day: datetime.date) -> bool:
        """Whether members may vote on ``day``."""
        return self.opens <= day <= self.closes

    def quorum_for(self, eligible: int) -> int:
        """The number of ballots the round needs, given how many may vote."""
        if self.quorum.endswith("%"):
            share = Decimal(self.quorum[:-1]) * eligible / 100
            return int(share.to_integral_value(rounding="ROUND_CEILING"))
        return int(self.quorum)


@dataclass(frozen=True)
class Agenda:
    """Every round and proposal the ledger declares."""

    rounds: dict[str, Round]
    proposals: dict[str, Proposal]

    def ballot(self, round_id: str) -> list[Proposal]:
        """The proposals on a round's ballot, in the order they were declared."""
        return [p for p in self.proposals.values() if p.round == round_id]


def read_agenda(
    entries: Sequence[data.Directive], federation: Federation
) -> tuple[Agenda, list[RoundError]]:
    """Read rounds, then proposals; report each unusable directive at its line."""
    errors: list[RoundError] = []
    rounds: dict[str, Round] = {}
    proposals: dict[str, Proposal] = {}
    for entry in directives.of_type(entries, "round"):
        try:
            found = _round(entry, federation)
            if found.id in rounds:
                raise FieldError(f'round "{found.id}" is already declared')
            rounds[found.id] = found
        except FieldError as error:
            errors.append(RoundError(entry.meta, str(error), entry))
    for entry in directives.of_type(entries, "proposal"):
        try:
            proposal = _proposal(entry, federation, rounds)
            if proposal.id in proposals:
                raise FieldError(f'proposal "{proposal.id}" is already declared')
            proposals[proposal.id] = proposal
        except FieldError as error:
            errors.append(RoundError(entry.meta, str(error), entry))
    for proposal in proposals.values():
        for other in (*proposal.requires, *proposal.excludes):
            known = proposals.get(other)
            if known is None or known.round != proposal.round or other == proposal.id:
                message = (
                    f'proposal "{proposal.id}" names "{other}", which is not another '
                    f'proposal of round "{proposal.round}"'
                )
                errors.append(RoundError(proposal.source, message, None))
    return Agenda(rounds, proposals), errors


def _scope(entry: data.Custom, federation: Federation) -> str:
    scope = directives.text(entry, "scope")
    if scope not in federation.coops and scope not in federation.regions:
        raise FieldError(f'scope "{scope}" is neither a declared co-op nor a region')
    return scope


def _round(entry: data.Custom, federation: Federation) -> Round:
    ident = directives.identifier(entry)
    closes = directives.date(entry, "closes")
    cutoff = directives.date(entry, "cutoff")
    if closes is None or cutoff is None:
        raise FieldError(f'round "{ident}" needs "closes" and "cutoff" dates')
    if closes < entry.date:
        raise FieldError(f'round "{ident}" closes {closes}, before it opens {entry.date}')
    if cutoff > entry.date:
        raise FieldError(
            f'round "{ident}": the cutoff {cutoff} is after voting opens {entry.date}; '
            "the electorate must be known when voting starts"
        )
    points = directives.text(entry, "points", "borda")
    if not _POINTS.match(points):
        raise FieldError(
            f'points "{points}" must be "borda", "harmonic" or "fixed:" and points by '
            'rank, such as "fixed:3,2,1"'
        )
    quorum = directives.text(entry, "quorum", "0")
    if not _QUORUM.match(quorum):
        raise FieldError(f'quorum "{quorum}" must be a share such as "5%" or a number')
    scope = _scope(entry, federation)
    weighting = directives.choice(entry, "weighting", WEIGHTINGS, "member")
    if weighting != "member" and scope in federation.coops:
        raise FieldError(
            f'round "{ident}" is the vote of co-op "{scope}" alone, and weighting '
            f'"{weighting}" is for the federation-wide round of a region: remove '
            '"weighting" (one member, one vote) or scope the round to a region'
        )
    return Round(
        id=ident,
        scope=scope,
        opens=entry.date,
        closes=closes,
        cutoff=cutoff,
        max_ranks=directives.integer(entry, "max-ranks", 3, 1, 100),
        points=points,
        budget=_budget(entry),
        rule=directives.choice(entry, "rule", RULES, "utilitarian"),
        quorum=quorum,
        conflict=directives.choice(entry, "conflict", CONFLICT_POLICIES, "allow"),
        source=entry.meta,
        partial=directives.flag(entry, "partial"),
        caps=tuple(
            (key.removeprefix("cap-"), directives.amount(entry, key)[0])
            for key in sorted(entry.meta)
            if key.startswith("cap-")
        ),
        max_coop_share=_share(entry, "max-coop-share"),
        coop_floors=directives.flag(entry, "coop-floors"),
        weighting=weighting,
    )


def _share(entry: data.Custom, key: str) -> Decimal | None:
    if key not in entry.meta:
        return None
    value = directives.text(entry, key)
    if not _SHARE.match(value) or not 0 < Decimal(value[:-1]) <= 100:
        raise FieldError(f'{key} "{value}" must be a share such as "40%"')
    return Decimal(value[:-1]) / 100


def _budget(entry: data.Custom) -> Decimal | None:
    value = entry.meta.get("budget", "available")
    if isinstance(value, str):
        if value != "available":
            raise FieldError(f'budget "{value}" must be "available" or an amount')
        return None
    number, _ = directives.amount(entry, "budget")
    if number <= 0:
        raise FieldError(f'budget {number} must be positive, or "available"')
    return number


def _proposal(
    entry: data.Custom, federation: Federation, rounds: dict[str, Round]
) -> Proposal:
    ident = directives.component(directives.identifier(entry), "proposal id")
    cost, currency = directives.amount(entry, "cost")
    if cost <= 0:
        raise FieldError(f'proposal "{ident}": cost {cost} {currency} must be positive')
    minimum = None
    if "minimum" in entry.meta:
        minimum, _ = directives.amount(entry, "minimum")
        if not 0 < minimum <= cost:
            raise FieldError(
                f'proposal "{ident}": minimum {minimum} must be above zero and at most '
                f"the cost {cost}"
            )
    round_id = directives.text(entry, "round")
    voting = rounds.get(round_id)
    if voting is None:
        raise FieldError(
            f'proposal "{ident}" is for round "{round_id}", which is not declared'
        )
    scope = _scope(entry, federation)
    if scope != voting.scope:
        raise FieldError(
            f'proposal "{ident}" asks the fund of "{scope}" but round "{round_id}" is '
            f'the vote of "{voting.scope}"'
        )
    regional = directives.flag(entry, "regional")
    _check_level(ident, Amount(cost, currency), scope, regional, federation)
    collective = directives.text(entry, "collective", "") or None
    if collective is not None and collective not in federation.collectives:
        raise FieldError(f'proposal "{ident}": collective "{collective}" is not declared')
    return Proposal(
        id=ident,
        title=directives.text(entry, "title"),
        cost=cost,
        minimum=minimum,
        currency=currency,
        scope=scope,
        round=round_id,
        instrument=directives.choice(entry, "instrument", INSTRUMENTS, "grant"),
        collective=collective,
        category=directives.text(entry, "category", "other"),
        description=directives.text(entry, "description", ""),
        declared=entry.date,
        source=entry.meta,
        requires=tuple(directives.text(entry, "requires", "").split()),
        excludes=tuple(directives.text(entry, "excludes", "").split()),
        regional=regional,
    )


def _check_level(
    ident: str, cost: Amount, scope: str, regional: bool, federation: Federation
) -> None:
    """Refuse a co-op's round a proposal that is its region's to decide."""
    coop = federation.coops.get(scope)
    if coop is None:
        return
    region = federation.regions[coop.region or ""]
    where = f'put it on a round of region "{region.id}" (scope: "{region.id}")'
    if regional:
        raise FieldError(f'proposal "{ident}" is declared regional: {where}')
    limit = region.local_limit
    if limit is not None and cost.number is not None and cost.number > limit:
        raise FieldError(
            f'proposal "{ident}" costs {cost}, more than the {limit} {cost.currency} '
            "a co-op's own "
            f'round may decide in region "{region.id}": {where}'
        )
