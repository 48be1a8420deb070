"""The demo's member register, as the CSV a co-op's membership secretary exports.

Members are kept out of the ledger (no personal data in the books). Each row is
one member: a pseudonymous id, the co-op, the class (``consumer`` or ``worker``),
the collective a worker works in, the date they joined and, for former members,
the date they left. Each co-op has exactly the spec's number of current members,
its collectives' workers among them, plus a few former members.
"""

from __future__ import annotations

import csv
import datetime
import io
import random

from ledger.demo.spec import FederationSpec

COLUMNS = ("member_id", "coop", "class", "collective", "joined", "left")

_FIRST_JOIN = datetime.date(2008, 1, 1)
_FORMER_SHARE = 0.04


def members_csv(spec: FederationSpec) -> str:
    """The register of every co-op's members, as CSV text."""
    rng = random.Random(f"{spec.seed}:members")
    first_lease = {lease.collective: lease.start for lease in reversed(spec.leases)}
    rows: list[tuple[str, ...]] = []
    for coop in spec.coops:
        people: list[tuple[str, str, datetime.date, str]] = []
        for collective in (c for c in spec.collectives if c.coop == coop.id):
            joined_by = first_lease.get(collective.id, spec.start)
            for _ in range(collective.workers):
                people.append(
                    ("worker", collective.id, _day(rng, _FIRST_JOIN, joined_by), "")
                )
        consumers = coop.members - len(people)
        for _ in range(consumers):
            people.append(("consumer", "", _day(rng, _FIRST_JOIN, spec.end), ""))
        for _ in range(round(coop.members * _FORMER_SHARE)):
            joined = _day(rng, _FIRST_JOIN, spec.end - datetime.timedelta(days=60))
            left = _day(rng, joined + datetime.timedelta(days=30), spec.end)
            people.append(("consumer", "", joined, left.isoformat()))
        people.sort(key=lambda person: person[2])
        prefix = coop.id[:3].upper()
        rows += [
            (f"{prefix}-{number:05d}", coop.id, kind, collective, str(joined), left)
            for number, (kind, collective, joined, left) in enumerate(people, start=1)
        ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def _day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))
