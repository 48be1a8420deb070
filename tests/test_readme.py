"""The README's promises: its two commands exist, and its tour prints what it shows."""

from __future__ import annotations

import os
import re
from pathlib import Path

from click.testing import CliRunner

from ledger.demo import MAIN
from reports.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_are_there_and_ci_runs_the_test_one() -> None:
    commands = re.findall(r"^\./scripts/(\w+)", README, re.M)
    assert commands[:2] == ["demo", "test"]
    for name in commands[:2]:
        assert os.access(ROOT / "scripts" / name, os.X_OK)
    assert "exec ./scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_the_fund_table_in_the_tour_is_what_the_command_prints(demo_dir: Path) -> None:
    block = README.split("`coopfund fund` prints, per fund, where the money is:")[1]
    shown = [line for line in block.split("```")[1].splitlines() if line and line != "..."]
    printed = CliRunner().invoke(main, ["fund", str(demo_dir / MAIN)]).output.splitlines()
    assert shown, "the README shows the table"
    for line in shown:
        assert line in printed
