"""The members' ballot site: enter a code, rank the proposals, confirm, keep a receipt.

A small Flask application of its own (Fava has no logins and no CSRF protection,
so ballots never go through it). Every rule lives in :mod:`allocation`: who may
vote, what a valid ranking is, how codes are checked and attempts throttled. This
module only turns requests into those calls and their answers into pages.

Protections: a CSRF token on every form (Flask-WTF); a signed, HTTP-only session
cookie remembering which member entered a code for which round; wrong codes
counted per client address in the database, so guessing is slowed across threads
and restarts; no page shows a ballot except to the session that cast it or to
whoever holds its receipt; pages are never cached, never framed and send no
referrer; scripts and styles come from the site itself only.
"""

from __future__ import annotations

import datetime
import random
import secrets
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from flask import Flask
from flask import Response
from flask import abort
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response as BaseResponse

from allocation import throttle
from allocation.ballots import BallotRefused
from allocation.ballots import Poll
from allocation.ballots import by_receipt
from allocation.ballots import history
from allocation.codes import member_for
from allocation.register import load_members
from allocation.round_export import published_voter_id
from allocation.store import open_store
from allocation.store import store_path
from ledger.books import Books
from ledger.books import load_books
from ledger.proposals import Proposal
from ledger.round_report import ProposalLine
from ledger.round_report import round_report

#: What every response says about itself; see the module docstring.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(
    ledger: Path, as_of: datetime.date | None = None, secret_key: str | None = None
) -> Flask:
    """The ballot site for the ledger at ``ledger``; ``as_of`` fixes "today"."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    CSRFProtect(app)
    books = load_books(ledger)
    database = store_path(ledger)
    open_store(database).close()
    site = _Site(books, database, as_of)
    site.register(app)
    return app


class _Site:
    """The routes, over one loaded ledger and the database beside it."""

    def __init__(self, books: Books, database: Path, as_of: datetime.date | None) -> None:
        self.books = books
        self.database = database
        self.as_of = as_of

    def today(self) -> datetime.date:
        return self.as_of or datetime.date.today()

    def now(self) -> datetime.datetime:
        return datetime.datetime.combine(self.today(), datetime.datetime.now().time())

    def connection(self) -> sqlite3.Connection:
        """This request's own connection (SQLite connections are not shared)."""
        if "connection" not in g:
            g.connection = open_store(self.database)
        connection: sqlite3.Connection = g.connection
        return connection

    def poll(self, round_id: str, member_id: str | None) -> Poll:
        if round_id not in self.books.agenda.rounds:
            abort(404)
        members = load_members(self.connection(), [member_id] if member_id else [])
        return Poll.of(self.books, round_id, members)

    def register(self, app: Flask) -> None:
        app.add_url_rule("/", "index", self.index)
        app.add_url_rule("/round/<round_id>", "code", self.code, methods=["GET", "POST"])
        app.add_url_rule(
            "/round/<round_id>/ballot", "ballot", self.ballot, methods=["GET", "POST"]
        )
        app.add_url_rule(
            "/round/<round_id>/confirm", "confirm", self.confirm, methods=["GET", "POST"]
        )
        app.add_url_rule("/round/<round_id>/receipt", "receipt", self.receipt)
        app.add_url_rule("/round/<round_id>/leave", "leave", self.leave, methods=["POST"])
        app.add_url_rule("/lookup", "lookup", self.lookup, methods=["GET", "POST"])
        app.teardown_appcontext(self.close)
        app.after_request(_protect)
        app.register_error_handler(CSRFError, _csrf_refused)

    def close(self, _error: BaseException | None) -> None:
        connection = g.pop("connection", None)
        if connection is not None:
            connection.close()

    # The pages, in the order a member meets them.

    def index(self) -> str:
        today = self.today()
        rounds = [r for r in self.books.agenda.rounds.values() if r.is_open_on(today)]
        return render_template("index.html", rounds=rounds, today=today)

    def code(self, round_id: str) -> BaseResponse | tuple[str, int] | str:
        poll = self.poll(round_id, None)
        if _voter(round_id):
            return redirect(url_for("ballot", round_id=round_id))
        if request.method == "GET":
            return render_template("code.html", round=poll.round)
        connection = self.connection()
        client = request.remote_addr or "unknown"
        wait = throttle.wait_seconds(connection, client, time.time())
        if wait > 0:
            message = (
                f"Too many wrong codes from this connection: try again in "
                f"{wait / 60:.0f} minutes."
            )
            return render_template("code.html", round=poll.round, error=message), 429
        member = member_for(connection, round_id, request.form.get("code", ""))
        if member is None:
            throttle.wrong_attempt(connection, client, time.time())
            message = "That code is not valid for this round. Check it and try again."
            return render_template("code.html", round=poll.round, error=message), 401
        _forget_voter()
        session[f"voter:{round_id}"] = member
        return redirect(url_for("ballot", round_id=round_id))

    def ballot(self, round_id: str) -> BaseResponse | tuple[str, int] | str:
        member = _voter(round_id) or _start_over(round_id)
        if not isinstance(member, str):
            return member
        poll = self.poll(round_id, member)
        if request.method == "POST":
            ranking = [p for p in request.form.getlist("rank") if p]
            problems = poll.problems(member, ranking, self.today())
            if not problems:
                session[f"pending:{round_id}"] = ranking
                return redirect(url_for("confirm", round_id=round_id))
            return self._ballot_page(poll, member, ranking, problems), 422
        barred = poll.barred(member, self.today())
        if barred:
            return render_template("refused.html", round=poll.round, problems=barred), 403
        earlier = history(self.connection(), round_id, member)
        current = list(earlier[-1].ranking) if earlier else []
        return self._ballot_page(poll, member, current, [])

    def _ballot_page(
        self, poll: Poll, member: str, ranking: list[str], problems: list[str]
    ) -> str:
        proposals = list(poll.proposals)
        random.Random(f"{poll.round.id}:{member}").shuffle(proposals)
        slots = ranking + [""] * (poll.round.max_ranks - len(ranking))
        return render_template(
            "ballot.html",
            round=poll.round,
            proposals=proposals,
            slots=slots[: max(poll.round.max_ranks, len(ranking))],
            problems=problems,
        )

    def confirm(self, round_id: str) -> BaseResponse | tuple[str, int] | str:
        member = _voter(round_id) or _start_over(round_id)
        if not isinstance(member, str):
            return member
        ranking = session.get(f"pending:{round_id}")
        if not ranking:
            return redirect(url_for("ballot", round_id=round_id))
        poll = self.poll(round_id, member)
        chosen = _titles(poll.proposals, ranking)
        if request.method == "GET":
            return render_template("confirm.html", round=poll.round, chosen=chosen)
        try:
            ballot = poll.cast(self.connection(), member, ranking, self.now())
        except BallotRefused as refused:
            problems = refused.problems
            return self._ballot_page(poll, member, ranking, problems), 422
        session.pop(f"pending:{round_id}")
        session[f"receipt:{round_id}"] = ballot.receipt
        return redirect(url_for("receipt", round_id=round_id))

    def receipt(self, round_id: str) -> BaseResponse | str:
        receipt = session.get(f"receipt:{round_id}")
        ballot = by_receipt(self.connection(), receipt) if receipt else None
        if ballot is None:
            return redirect(url_for("code", round_id=round_id))
        poll = self.poll(round_id, None)
        return render_template(
            "receipt.html",
            round=poll.round,
            ballot=ballot,
            chosen=_titles(poll.proposals, ballot.ranking),
            voter_id=published_voter_id(ballot),
        )

    def leave(self, round_id: str) -> BaseResponse:
        _forget_voter()
        return redirect(url_for("code", round_id=round_id))

    def lookup(self) -> str | tuple[str, int]:
        """A ballot by its receipt; once its round is counted, what became of it."""
        if request.method == "GET":
            return render_template("lookup.html")
        receipt = request.form.get("receipt", "").strip()
        ballot = by_receipt(self.connection(), receipt) if receipt else None
        if ballot is None:
            message = "No ballot has that receipt. Check it and try again."
            return render_template("lookup.html", error=message), 404
        proposals = self.books.agenda.ballot(ballot.round)
        rounds = {line.id: line for line in round_report(self.books, self.today())}
        counted = rounds.get(ballot.round)
        outcome: dict[str, ProposalLine] = {}
        if counted is not None and (counted.committed or counted.allocation):
            outcome = counted.proposals
        return render_template(
            "lookup.html",
            ballot=ballot,
            round=self.books.agenda.rounds[ballot.round],
            chosen=_titles(proposals, ballot.ranking),
            outcome=outcome,
            voter_id=published_voter_id(ballot),
        )


def _voter(round_id: str) -> str | None:
    member = session.get(f"voter:{round_id}")
    return member if isinstance(member, str) else None


def _forget_voter() -> None:
    """Sign out of every round, keeping the session's CSRF secret (its forms)."""
    for key in [k for k in session if k.split(":")[0] in ("voter", "pending", "receipt")]:
        session.pop(key)


def _start_over(round_id: str) -> BaseResponse:
    return redirect(url_for("code", round_id=round_id))


def _titles(proposals: Iterable[Proposal], ranking: Iterable[str]) -> list[Proposal]:
    """The ranked proposals, in the ranking's order."""
    by_id = {p.id: p for p in proposals}
    return [by_id[p] for p in ranking if p in by_id]


def _protect(response: Response) -> Response:
    response.headers.update(HEADERS)
    return response


def _csrf_refused(error: CSRFError) -> tuple[str, int]:
    message = (
        "This form has expired or did not come from this site. Go back, reload the "
        "page and send it again."
    )
    return render_template("refused.html", round=None, problems=[message]), 400
