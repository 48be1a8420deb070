"""Rankings as proposal codes: how the store keeps a million ballots countable.

Each round numbers its proposals 1, 2, 3, ... the first time a ballot names them
(table ``proposal_codes``, never renumbered), and each ballot keeps, beside its
ranking as JSON (what the member chose, for receipts and history), its ranks as
those codes, four hex digits each: ``"0003000a"`` ranks code 3, then code 10.

A count then asks SQLite for one string, the ballots' ranks joined by commas, and
turns it into integer arrays with a few vectorised passes: no JSON, no proposal
id per rank, no Python loop over ballots.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np

#: Hex digits per rank; codes go from 1 to 16**4 - 1.
WIDTH = 4
MAX_CODE = 16**WIDTH - 1


class TooManyProposals(ValueError):
    """A round whose ballots name more proposals than the codes can number."""


def encode_rankings(
    connection: sqlite3.Connection, round_id: str, rankings: Sequence[Sequence[str]]
) -> list[str]:
    """Each ranking's codes, numbering proposals not seen before in this round.

    Call it inside the transaction that stores the ballots, so two writers never
    give two proposals one code.
    """
    codes = {
        str(proposal): int(code)
        for proposal, code in connection.execute(
            "SELECT proposal, code FROM proposal_codes WHERE round = ?", (round_id,)
        )
    }
    new: list[tuple[str, int, str]] = []
    encoded = []
    for ranking in rankings:
        for proposal in ranking:
            if proposal not in codes:
                code = len(codes) + 1
                if code > MAX_CODE:
                    raise TooManyProposals(
                        f"round {round_id} names more than {MAX_CODE} proposals"
                    )
                codes[proposal] = code
                new.append((round_id, code, proposal))
        encoded.append("".join(f"{codes[proposal]:04x}" for proposal in ranking))
    connection.executemany(
        "INSERT INTO proposal_codes (round, code, proposal) VALUES (?, ?, ?)", new
    )
    return encoded


def round_proposals(connection: sqlite3.Connection, round_id: str) -> list[str]:
    """The round's proposals by code: code ``c`` is item ``c - 1``."""
    return [
        str(row[0])
        for row in connection.execute(
            "SELECT proposal FROM proposal_codes WHERE round = ? ORDER BY code",
            (round_id,),
        )
    ]


def decode_ranks(joined: str) -> tuple[np.ndarray, np.ndarray]:
    """(ranks per ballot, every code ballot after ballot) of comma-joined ranks."""
    raw = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    commas = np.flatnonzero(raw == ord(","))
    ends = np.r_[commas, len(raw)]
    lengths = (np.diff(np.r_[-1, ends]) - 1) // WIDTH
    return lengths.astype(np.int64), decode_codes(joined.replace(",", ""))


def decode_codes(digits: str) -> np.ndarray:
    """The codes of a string of codes, :data:`WIDTH` hex digits each."""
    return np.frombuffer(bytes.fromhex(digits), dtype=">u2").astype(np.int64)
