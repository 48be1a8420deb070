"""Writing ledger files so that nothing is ever half-written.

Files are written to a temporary place next to their destination, checked there,
and only then moved into place with a rename, which is atomic on one file system.
If the check fails, the temporary copy is removed and the destination is as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path


class LedgerWriteError(Exception):
    """A write was refused; the message says why and what to do."""


def write_tree(
    target: Path,
    files: dict[str, str],
    check: Callable[[Path], list[str]],
    mains: Sequence[str],
    *,
    replace: bool = False,
) -> None:
    """Create directory ``target`` holding ``files`` (relative path -> text).

    ``check`` receives the temporary copy of each of the ``mains`` files (a
    federation has one ledger per level) and returns error lines; any error
    aborts the write. ``target`` must not exist or be empty,
    unless ``replace`` is set: then its old content is swapped out only once the
    new content has passed the check.
    """
    occupied = target.exists() and (not target.is_dir() or any(target.iterdir()))
    if occupied and not replace:
        raise LedgerWriteError(
            f"{target} already exists and is not empty; choose a new directory or remove it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    try:
        for name, text in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        errors = [line for main in mains for line in check(staging / main)]
        if errors:
            shown = "\n".join(errors[:20]).replace(str(staging), str(target))
            raise LedgerWriteError(f"the ledger for {target} does not check:\n{shown}")
        _swap_in(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _swap_in(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``, keeping the old ``target`` until that worked."""
    if not target.exists():
        staging.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
    old.rmdir()
    target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        old.rename(target)
        raise
    shutil.rmtree(old)


def replace_checked(
    main: Path,
    ledger_files: list[Path],
    changes: dict[Path, str],
    check: Callable[[Path], list[str]],
) -> None:
    """Give the files in ``changes`` their new text, only if the whole ledger checks.

    ``ledger_files`` are all the files the ledger at ``main`` reads (Beancount lists
    them in its ``include`` option). The check runs on a mirror of the ledger: a
    temporary directory of links to the unchanged files and copies of the changed
    ones, so includes resolve as in the real ledger and nothing real is touched.
    Only when it passes is each changed file replaced, by an atomic rename.
    """
    files = {path.resolve() for path in [main, *ledger_files, *changes]}
    root = Path(os.path.commonpath([path.parent for path in files]))
    new = {path.resolve(): text for path, text in changes.items()}
    with tempfile.TemporaryDirectory(prefix=".coopfund-check-", dir=root) as mirror:
        for path in files:
            copy = Path(mirror) / path.relative_to(root)
            copy.parent.mkdir(parents=True, exist_ok=True)
            if path in new:
                copy.write_text(new[path], encoding="utf-8")
            else:
                copy.symlink_to(path)
        errors = check(Path(mirror) / main.resolve().relative_to(root))
        if errors:
            shown = "\n".join(errors[:20]).replace(mirror, str(root))
            raise LedgerWriteError(
                f"the ledger would not check, so nothing was written:\n{shown}"
            )
    for path, text in new.items():
        write_atomically(path, text)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename: readers see the old or the new."""
    staged = path.with_name(f".{path.name}.coopfund-new")
    staged.write_text(text, encoding="utf-8")
    staged.replace(path)
