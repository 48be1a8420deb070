"""``coopfund pb allocate`` on real Pabulib files, and the solvers it relies on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pulp
import pytest
from click.testing import CliRunner

from reports.cli import main
from tests.test_pabulib import DATA


def test_pulp_ships_a_working_cbc() -> None:
    """The default solver must really be there: PuLP falls back silently otherwise."""
    cbc = pulp.PULP_CBC_CMD(msg=False)
    assert cbc.available(), "PuLP's bundled CBC is missing: reinstall pulp"
    model = pulp.LpProblem("check", pulp.LpMaximize)
    x = model.add_variable("x", cat="Binary")
    model += 3 * x
    assert model.solve(cbc) == pulp.LpStatusOptimal
    assert x.value() == 1
    assert "HiGHS" in pulp.listSolvers(onlyAvailable=True)


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_json_lists_the_funded_projects_cost_and_points(solver: str) -> None:
    path = DATA / "Poland_Krakow_2019_Bienczyce.pb"
    result = CliRunner().invoke(
        main,
        ["pb", "allocate", str(path), "--rule", "utilitarian", "--solver", solver,
         "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert sorted(report["selected"]) == ["10", "17", "2", "20", "3", "4", "6"]
    assert report["total_cost"] == "896000.00"
    assert report["total_points"] == "5722.00"
    assert report["solver"] == solver
    assert len(report["rows"]) == 9


def test_the_table_says_what_was_funded_and_why_not() -> None:
    path = DATA / "Netherlands_Assen_2024.pb"
    result = CliRunner().invoke(
        main, ["pb", "allocate", str(path), "--rule", "mes", "--explain"]
    )
    assert result.exit_code == 0, result.output
    assert "84 voters, 14 projects, budget 100,000.00; rule mes (mes/add1)" in result.output
    assert "9 funded, total cost 76,700.00, total points 200.00" in result.output
    assert "Crossbaan in Peelo" in result.output, (
        "left-out projects are shown with --explain"
    )


def test_a_broken_file_is_named_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pb"
    text = (DATA / "coopfund_scoring_example.pb").read_text(encoding="utf-8")
    broken.write_text(text.replace("v2;S2,S3;4,4", "v2;S2,S9;4,4"), encoding="utf-8")
    result = CliRunner().invoke(main, ["pb", "allocate", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:24: the vote names S9, not in PROJECTS" in result.output
    assert "Fix the file, then run this again." in result.output


def test_explaining_many_left_out_projects_reports_progress_apart_from_the_output(
    tmp_path: Path,
) -> None:
    """Explanations of a large round take a while: each tenth is reported on
    standard error, and the JSON on standard output stays whole."""
    projects = "".join(f"{n};{1000 + n}\n" for n in range(1, 26))
    votes = "".join(f"v{n};{n % 25 + 1},{(n + 3) % 25 + 1}\n" for n in range(60))
    path = tmp_path / "many.pb"
    path.write_text(
        "META\nkey;value\ndescription;many\nvote_type;approval\nbudget;2100\n"
        f"PROJECTS\nproject_id;cost\n{projects}VOTES\nvoter_id;vote\n{votes}",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main,
        ["pb", "allocate", str(path), "--rule", "greedy", "--explain", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    left_out = 25 - len(report["selected"])
    assert left_out >= 20
    step = left_out // 10
    assert result.stderr.splitlines() == [
        f"projects left out, explained: {done} of {left_out}"
        for done in range(1, left_out + 1)
        if done % step == 0 or done == left_out
    ]


def test_equal_shares_reports_its_completion_apart_from_the_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Add1 may raise a city's budget thousands of times: how far it has gone is
    reported on standard error (here after every block, not every two seconds),
    and the JSON on standard output stays whole."""
    monkeypatch.setattr("reports.cli.progress.EVERY", 0.0)
    path = DATA / "Poland_Krakow_2019_Bienczyce.pb"
    result = CliRunner().invoke(
        main, ["pb", "allocate", str(path), "--rule", "mes", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rule"] == "mes"
    heard = [
        re.fullmatch(
            r"equal shares: the budget raised ([\d,]+) times \(Add1\); "
            r"the outcome spends ([\d,.]+) of 904,700\.00",
            line,
        )
        for line in result.stderr.splitlines()
    ]
    assert len(heard) > 3 and all(heard)
    raised = [int(match[1].replace(",", "")) for match in heard if match]
    assert raised == sorted(raised) and raised[-1] > 14
