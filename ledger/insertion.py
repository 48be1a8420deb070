"""Where new entries go in a ledger of several files, and how they are written.

The rule is Fava's, so that an import from the command line and one from Fava's
import page land in the same place:

* an ``insert-entry`` option whose pattern matches one of the entry's accounts
  (the last posting's first) and which is dated before the entry puts it just above
  that option's line::

      2023-11-01 custom "fava-option" "insert-entry" "^Assets:North:Riverside:"

  (among several matching options, the latest dated wins);
* otherwise the entry goes at the end of the ``default-file`` option's file, or of
  the main file.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from beancount.core import data
from beancount.parser import printer


@dataclass(frozen=True)
class InsertOption:
    """One ``insert-entry`` option: entries matching ``pattern`` go above it."""

    date: datetime.date
    pattern: re.Pattern[str]
    file: Path
    line: int


@dataclass(frozen=True)
class Placement:
    """Where each new entry goes: a file, and the line to insert above (or the end)."""

    options: list[InsertOption]
    default: Path

    @staticmethod
    def of(entries: Sequence[data.Directive], main: Path) -> Placement:
        """Read the ledger's insert-entry and default-file options."""
        options = []
        default = main
        for entry in entries:
            if not (isinstance(entry, data.Custom) and entry.type == "fava-option"):
                continue
            values = [value.value for value in entry.values]
            source = Path(entry.meta["filename"])
            if values[:1] == ["insert-entry"] and len(values) == 2:
                pattern = re.compile(str(values[1]))
                options.append(
                    InsertOption(entry.date, pattern, source, entry.meta["lineno"])
                )
            elif values[:1] == ["default-file"]:
                default = source
        options.sort(key=lambda option: option.date, reverse=True)
        return Placement(options, default)

    def place(self, entry: data.Directive) -> tuple[Path, int | None]:
        """The file and line (None: the end) where ``entry`` goes."""
        accounts = (
            [p.account for p in reversed(entry.postings)]
            if isinstance(entry, data.Transaction)
            else [getattr(entry, "account", "")]
        )
        for account in accounts:
            for option in self.options:
                if option.date < entry.date and option.pattern.match(account):
                    return option.file, option.line
        return self.default, None


def insert(placement: Placement, entries: Sequence[data.Directive]) -> dict[Path, str]:
    """The new text of every file that receives some of ``entries``."""
    by_place: dict[Path, dict[int | None, list[data.Directive]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for entry in entries:
        path, line = placement.place(entry)
        by_place[path][line].append(entry)
    changed = {}
    for path, places in by_place.items():
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        # From the bottom up, so earlier line numbers stay right.
        for line in sorted(places, key=lambda n: -1 if n is None else n, reverse=True):
            text = "\n" + "\n".join(printer.format_entry(e) for e in places[line])
            position = len(lines) if line is None else line - 1
            lines.insert(position, text if line is None else text.lstrip("\n") + "\n")
        changed[path] = "".join(lines)
    return changed
