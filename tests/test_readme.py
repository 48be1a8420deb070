"""The README's promises: its two commands exist, and its tour prints what it shows."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from ledger.demo import MAIN
from reports.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def shown_after(heading: str) -> list[str]:
    """The lines of the code block that follows ``heading`` in the README."""
    block = README.split(heading)[1].split("```")[1]
    return [line for line in block.splitlines() if line and line != "..."]


def test_the_two_commands_are_there_and_ci_runs_the_test_one() -> None:
    commands = re.findall(r"^\./scripts/(\w+)", README, re.M)
    assert commands[:2] == ["demo", "test"]
    for name in commands[:2]:
        assert os.access(ROOT / "scripts" / name, os.X_OK)
    assert "exec ./scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_the_tour_prints_what_the_readme_shows(demo_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    fund = runner.invoke(main, ["fund", str(demo_dir / MAIN)]).output.splitlines()
    for line in shown_after("`coopfund fund` prints, per fund, where the money is:"):
        assert line in fund

    demo = tmp_path / "federation"
    shutil.copytree(demo_dir, demo)
    statements = sorted(str(p) for p in (demo / "statements" / "2026-11").iterdir())
    imported = runner.invoke(main, ["rent", "import", str(demo / MAIN), *statements])
    assert imported.exit_code == 0, imported.output
    for line in shown_after("`coopfund rent import` prints, per statement"):
        assert line in imported.output.splitlines()
    roll = runner.invoke(main, ["rent", "roll", str(demo / MAIN)]).output.splitlines()
    for line in shown_after("and `coopfund rent roll` who owes what"):
        assert line in roll
    consolidated = runner.invoke(
        main,
        [
            "report",
            "federation",
            str(demo / MAIN),
            "--as-of",
            "2026-11-30",
            "--workers",
            "1",
        ],
    ).output.splitlines()
    for line in shown_after(
        "`coopfund report federation` adds up the funds level by level"
    ):
        assert line in consolidated
