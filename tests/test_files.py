"""Ledger directories appear whole and checked, or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.files import LedgerWriteError
from ledger.files import write_tree

FILES = {"main.beancount": "; books\n", "funds/a.beancount": "; fund a\n"}


def test_written_tree_holds_every_file(tmp_path: Path) -> None:
    write_tree(tmp_path / "out", FILES, lambda main: [], ["main.beancount"])
    assert (tmp_path / "out" / "funds" / "a.beancount").read_text() == "; fund a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no staging left behind"


def test_a_failed_check_leaves_nothing(tmp_path: Path) -> None:
    seen: list[Path] = []

    def check(main: Path) -> list[str]:
        seen.append(main)
        assert main.read_text() == "; books\n", "the check sees the new files"
        return [f"{main}:1: broken"]

    with pytest.raises(LedgerWriteError, match="does not check") as error:
        write_tree(tmp_path / "out", FILES, check, ["main.beancount"])
    assert str(tmp_path / "out") in str(error.value), "errors name the destination"
    assert list(tmp_path.iterdir()) == []


def test_an_existing_directory_is_kept_unless_replacing(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.beancount").write_text("; old\n")
    with pytest.raises(LedgerWriteError, match="not empty"):
        write_tree(target, FILES, lambda main: [], ["main.beancount"])
    with pytest.raises(LedgerWriteError):
        write_tree(target, FILES, lambda main: ["bad"], ["main.beancount"], replace=True)
    assert [p.name for p in target.iterdir()] == ["old.beancount"]
    write_tree(target, FILES, lambda main: [], ["main.beancount"], replace=True)
    assert sorted(p.name for p in target.iterdir()) == ["funds", "main.beancount"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
