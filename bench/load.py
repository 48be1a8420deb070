"""Beancount's bare load against the load with the coopfund rent plugin.

    .venv/bin/python -m bench.load [--sizes 10k,100k,500k] [--runs N] [--regenerate]

For each size, generates the federation into ``bench/out/<size>/`` (once; later
runs reuse it), then loads ``bare.beancount`` and ``main.beancount`` alternately,
each load in a fresh interpreter with ``BEANCOUNT_DISABLE_LOAD_CACHE=1``, and
prints the medians as a markdown table. Every load must report zero errors.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bench.common import MeasureError
from bench.common import code_changed
from bench.common import machine
from bench.common import markdown_table
from bench.common import measure
from bench.common import median
from bench.common import save
from bench.common import seconds
from bench.common import warm_cache
from bench.federation import BARE
from bench.federation import SCALES
from bench.federation import TEXT
from bench.federation import Manifest
from bench.federation import ensure_ledger
from bench.federation import scale_named
from ledger.demo import MAIN

#: Fewest runs per size whose median the README may report.
MIN_RUNS = {"10k": 5, "100k": 5, "500k": 3}
#: The issue's target: the plugin adds at most this much at 100k entries and above.
TARGET_OVERHEAD = 25.0
TARGET_FROM_ENTRIES = 100_000

#: bare: the written files only; plugin: what coopfund loads; text: the plugin's
#: books with the charges written out, as a ledger without the plugin would hold them.
VARIANTS = {"bare": BARE, "plugin": MAIN, "text": TEXT}

#: Load phases as Beancount's ``log_timings`` names them, grouped for the report.
PHASES = {
    "parse": ("parse",),
    "booking": ("booking",),
    "ledger.plugin": ("ledger.plugin",),
    "ops (documents, pad, balance)": (
        "beancount.ops.documents",
        "beancount.ops.pad",
        "beancount.ops.balance",
    ),
    "validate": ("beancount.ops.validate",),
}


def run_size(manifest: Manifest, runs: int) -> dict[str, Any]:
    """``runs`` loads of each variant, rotating which goes first."""
    warm_cache(manifest)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in VARIANTS}
    names = list(VARIANTS)
    for run in range(runs):
        order = names[run % len(names) :] + names[: run % len(names)]
        for variant in order:
            result = measure("load", manifest.directory / VARIANTS[variant])
            results[variant].append(result)
            print(
                f"[{manifest.size}] run {run + 1}/{runs} {variant:>6}: "
                f"{result['seconds']:7.2f} s, {result['peak_mib']:6.0f} MiB peak, "
                f"{result['entries']:,} entries, 0 errors",
                flush=True,
            )
    bare, plugin, text = results["bare"][0], results["plugin"][0], results["text"][0]
    if text["entries"] != plugin["entries"]:
        raise MeasureError(
            f"text load has {text['entries']:,} entries, the plugin load "
            f"{plugin['entries']:,}: they should hold the same books"
        )
    expected = manifest.entries_written + manifest.chart_opens
    if bare["entries"] != expected:
        raise MeasureError(
            f"bare load has {bare['entries']:,} entries, expected {expected:,} "
            "(entries written plus the chart's open directives)"
        )
    return {
        "manifest": manifest.__dict__,
        "runs": results,
        "entries_loaded_plugin": plugin["entries"],
        "plugin_added": plugin["entries"] - manifest.entries_written,
        "postings_bare": bare["postings"],
        "postings_plugin": plugin["postings"],
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time (the lower middle one for an even count)."""
    return sorted(runs, key=lambda run: run["seconds"])[(len(runs) - 1) // 2]


def summary(size: dict[str, Any]) -> dict[str, float]:
    """Medians of one size's runs; the phases are those of the median run."""
    written = size["manifest"]["entries_written"]
    out: dict[str, float] = {}
    for variant, runs in size["runs"].items():
        out[f"{variant}_s"] = median([r["seconds"] for r in runs])
        out[f"{variant}_mib"] = median([r["peak_mib"] for r in runs])
        out[f"{variant}_us"] = out[f"{variant}_s"] / written * 1e6
        middle = median_run(runs)
        out[f"{variant}:total"] = middle["seconds"]
        for phase, names in PHASES.items():
            out[f"{variant}:{phase}"] = sum(
                middle["phases"].get(name, 0.0) for name in names
            )
    out["overhead"] = (out["plugin_s"] / out["bare_s"] - 1) * 100
    out["against_text"] = (out["plugin_s"] / out["text_s"] - 1) * 100
    return out


def tables(sizes: dict[str, dict[str, Any]]) -> str:
    """The result table, the phase breakdown, and the verdict on the target."""
    rows = []
    phase_rows = []
    verdicts = []
    for name, size in sizes.items():
        s = summary(size)
        manifest = size["manifest"]
        runs = len(size["runs"]["bare"])
        rows.append(
            [
                name,
                manifest["entries_written"],
                size["entries_loaded_plugin"],
                runs,
                seconds(s["bare_s"]),
                seconds(s["plugin_s"]),
                f"{s['overhead']:+.0f} %",
                seconds(s["text_s"]),
                f"{s['against_text']:+.0f} %",
                round(s["bare_mib"]),
                round(s["plugin_mib"]),
                round(s["text_mib"]),
                round(s["bare_us"]),
                round(s["plugin_us"]),
            ]
        )
        for variant in VARIANTS:
            total = s[f"{variant}:total"]
            parts = [s[f"{variant}:{phase}"] for phase in PHASES]
            phase_rows.append(
                [name, variant, *map(seconds, [*parts, total - sum(parts), total])]
            )
        if manifest["entries_written"] >= TARGET_FROM_ENTRIES:
            met = s["overhead"] <= TARGET_OVERHEAD
            verdicts.append(
                f"- {name}: plugin against bare {s['overhead']:+.1f} % "
                f"(target <= {TARGET_OVERHEAD:.0f} %): {'met' if met else 'NOT met'}; "
                f"plugin against the same books as text {s['against_text']:+.1f} %"
            )
    main = markdown_table(
        [
            "Size",
            "Entries written",
            "Entries loaded (plugin)",
            "Runs",
            "Bare median s",
            "Plugin median s",
            "Plugin vs bare",
            "Text median s",
            "Plugin vs text",
            "Bare peak MiB",
            "Plugin peak MiB",
            "Text peak MiB",
            "Bare µs/entry",
            "Plugin µs/entry",
        ],
        rows,
    )
    phases = markdown_table(
        ["Size", "Load (median run)", *(f"{p} s" for p in PHASES), "other s", "total s"],
        phase_rows,
    )
    return "\n\n".join([main, phases, "\n".join(verdicts)]).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    """Generate, load, print the tables."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--sizes", default=",".join(SCALES), help="e.g. 10k,100k,500k")
    parser.add_argument(
        "--runs", type=int, help="loads per variant and size (default: 5, 5, 3)"
    )
    parser.add_argument("--regenerate", action="store_true", help="write the ledgers again")
    args = parser.parse_args(argv)
    try:
        scales = [scale_named(name.strip()) for name in args.sizes.split(",")]
    except ValueError as error:
        parser.error(str(error))
    info = machine()
    print(
        f"machine: {info['cpus']} CPUs, {info['cpu']}; Python {info['python']}, "
        f"beancount {info['beancount']}, fava {info['fava']}; code {info['code']}",
        flush=True,
    )
    sizes: dict[str, dict[str, Any]] = {}
    try:
        for scale in scales:
            manifest = ensure_ledger(scale, regenerate=args.regenerate)
            runs = args.runs or MIN_RUNS.get(scale.name, 5)
            if runs < MIN_RUNS.get(scale.name, 0):
                print(
                    f"[{scale.name}] note: fewer runs than the README reports", flush=True
                )
            print(
                f"[{scale.name}] {manifest.entries_written:,} entries written, "
                f"{manifest.chart_opens:,} opens in {BARE}; {runs} runs each",
                flush=True,
            )
            sizes[scale.name] = run_size(manifest, runs)
            added = sizes[scale.name]["plugin_added"]
            print(
                f"[{scale.name}] with the plugin: "
                f"{sizes[scale.name]['entries_loaded_plugin']:,} entries loaded "
                f"({added:,} added: opens, rent charges, prepaid credit applied)",
                flush=True,
            )
    except MeasureError as error:
        sys.exit(f"error: {error}")
    code_changed(info)
    path = save("results-load.json", {"machine": info, "sizes": sizes})
    print(f"\nraw results: {path}\n")
    print(tables(sizes))


if __name__ == "__main__":
    main()
