"""What the benchmark scripts share: fresh measuring processes, medians, tables."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.federation import OUT
from bench.federation import Manifest
from bench.measure import RESULT

#: The project's root: the measuring processes run there, as ``python -m``.
ROOT = Path(__file__).resolve().parent.parent


class MeasureError(Exception):
    """A measuring process failed or reported errors in the ledger."""


def measure(command: str, path: Path) -> dict[str, Any]:
    """Run ``python -m bench.measure COMMAND PATH`` in a fresh interpreter.

    The interpreter is the one running this script; Beancount's pickle cache is
    off (``BEANCOUNT_DISABLE_LOAD_CACHE=1``), so every load parses the files.
    """
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.measure", command, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
    if done.returncode or not lines:
        raise MeasureError(
            f"bench.measure {command} {path} failed ({done.returncode}):\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1][len(RESULT) :])
    if result.get("errors"):
        shown = "\n".join(result["first_errors"])
        raise MeasureError(f"{path} loads with {result['errors']} errors:\n{shown}")
    return result


def median(values: Sequence[float]) -> float:
    """The median; for an even count, the mean of the middle two."""
    return statistics.median(values)


def warm_cache(manifest: Manifest) -> None:
    """Read every file of the ledger once, so no timed run pays for the disk."""
    for path in manifest.directory.rglob("*.beancount"):
        path.read_bytes()


_NUMBER = re.compile(r"^[+-]?[0-9][0-9,.]*( %)?$")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table; numbers (and numbers formatted as text) right-aligned."""
    aligned = [
        "---:" if rows and _NUMBER.match(_cell(rows[0][i])) else "---"
        for i in range(len(headers))
    ]
    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join(aligned) + " |",
    ]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def seconds(value: float) -> str:
    """A duration for a table: two decimals, so columns line up."""
    return f"{value:,.2f}"


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) < 1:
            return f"{value:.3f}"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "beancount": metadata.version("beancount"),
        "fava": metadata.version("fava"),
        "system": f"{platform.system()} {platform.release()}",
        "code": code_state(),
        "code_digest": code_digest(),
    }


def code_state() -> str:
    """The code being measured: the commit, and a digest of uncommitted changes.

    Only ``ledger/`` and ``reports/`` count (the plugin and the Fava extension);
    e.g. ``09511db`` or ``09511db+dirty:3f2a9c1e (ledger/rent.py, ...)``.
    """

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return done.stdout if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    diff = git("diff", "HEAD", "--", "ledger", "reports")
    if not diff:
        return commit
    files = git("diff", "HEAD", "--name-only", "--", "ledger", "reports").split()
    digest = hashlib.sha1(diff.encode()).hexdigest()[:8]
    return f"{commit}+dirty:{digest} ({', '.join(files)})"


def code_digest() -> str:
    """A digest of every file under ``ledger/`` and ``reports/``, as they are now.

    Unlike :func:`code_state`, it does not change when the same code is committed.
    """
    digest = hashlib.sha1()
    for folder in ("ledger", "reports"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".js"}:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def code_changed(info: dict[str, str]) -> bool:
    """Whether the code differs from when ``machine()`` described it; warn if so."""
    if code_digest() == info["code_digest"]:
        return False
    print(f"warning: the code changed during the runs (now {code_state()})", flush=True)
    info["code_after"] = code_state()
    return True


def save(name: str, results: dict[str, Any]) -> Path:
    """Keep the raw results next to the generated ledgers (``bench/out``)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return path
