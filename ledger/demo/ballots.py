"""The demo's paper ballots: members of each round's electorate ranking its proposals.

Written as the CSV files ``coopfund round import-ballots`` reads
(``ballots/<ROUND>.csv``), so the demo's loop can be run end to end: import the
register, import the ballots, count the rounds. About a third of the electorate
votes; each proposal has a popularity of its own, so some lead clearly and others
trail; nobody ranks their own collective's proposal where the round excludes it.
"""

from __future__ import annotations

import csv
import datetime
import io
import random

from ledger.demo.spec import CandidateSpec
from ledger.demo.spec import FederationSpec
from ledger.demo.spec import RoundSpec

TURNOUT = 0.3
#: When the demo's members voted: a day on which every demo round is open.
VOTED_ON = datetime.date(2026, 11, 20)


def ballots_csv(spec: FederationSpec, register: str, voting: RoundSpec) -> str:
    """The paper ballots of ``voting``, as CSV text, from the register's CSV text."""
    rng = random.Random(f"{spec.seed}:ballots:{voting.id}")
    candidates = [c for c in spec.candidates if c.round == voting.id]
    popularity = [rng.uniform(0.5, 4.0) for _ in candidates]
    coops = {c.id for c in spec.coops if voting.scope in (c.id, spec.region)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["member_id", *[f"rank_{n}" for n in range(1, voting.max_ranks + 1)], "date"]
    )
    for member in csv.DictReader(io.StringIO(register)):
        if not _eligible(member, coops, voting) or rng.random() > TURNOUT:
            continue
        allowed = [
            (c, weight)
            for c, weight in zip(candidates, popularity, strict=True)
            if voting.conflict != "exclude"
            or not c.collective
            or c.collective != member["collective"]
        ]
        ranking = _ranking(rng, allowed, rng.randint(1, voting.max_ranks))
        blanks = [""] * (voting.max_ranks - len(ranking))
        writer.writerow([member["member_id"], *ranking, *blanks, VOTED_ON.isoformat()])
    return out.getvalue()


def _eligible(member: dict[str, str], coops: set[str], voting: RoundSpec) -> bool:
    joined = datetime.date.fromisoformat(member["joined"])
    left = member["left"]
    return (
        member["coop"] in coops
        and joined <= voting.cutoff
        and (not left or datetime.date.fromisoformat(left) > VOTED_ON)
    )


def _ranking(
    rng: random.Random, allowed: list[tuple[CandidateSpec, float]], length: int
) -> list[str]:
    """Proposals drawn one after another by popularity, without repeats."""
    left = list(allowed)
    chosen: list[str] = []
    while left and len(chosen) < length:
        (pick,) = rng.choices(range(len(left)), weights=[w for _, w in left])
        chosen.append(left.pop(pick)[0].id)
    return chosen
