"""Summarise many ledgers at once: serially, on local processes, or on Dask.

Loading a Beancount ledger is single-threaded Python (the GIL rules out threads),
so one machine's cores are used by a process pool: each worker loads and
summarises whole ledgers and sends back only their :class:`LedgerSummary`, a few
hundred bytes per fund. With a Dask scheduler's address the same function runs on
that cluster's workers instead (``pip install 'coopfund[dask]'``; every worker
needs coopfund installed and the ledgers at the same paths).

Summaries come back in the order of ``paths``, whatever order they finish in, so
a consolidation is the same however it was run.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed

from ledger.consolidation import ConsolidationError
from ledger.consolidation import LedgerSummary
from ledger.consolidation import summarise_ledger
from ledger.periods import Period

#: Told how many ledgers are done, of how many.
Progress = Callable[[int, int], None]


def summarise_all(
    paths: Sequence[str],
    period: Period,
    as_of: datetime.date,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> list[LedgerSummary]:
    """Each ledger's summary, in the order of ``paths``.

    ``workers``: processes on this machine (default: one per core; 1: serial, in
    this process). ``scheduler``: a Dask scheduler's address, such as
    ``tcp://10.0.0.5:8786``, which overrides ``workers``.
    """
    report = progress or (lambda done, total: None)
    if scheduler:
        return _on_dask(paths, period, as_of, scheduler, report)
    count = workers or os.cpu_count() or 1
    if count == 1 or len(paths) <= 1:
        summaries = []
        for done, path in enumerate(paths, start=1):
            summaries.append(summarise_ledger(path, period, as_of))
            report(done, len(paths))
        return summaries
    return _on_processes(paths, period, as_of, min(count, len(paths)), report)


def _on_processes(
    paths: Sequence[str],
    period: Period,
    as_of: datetime.date,
    workers: int,
    report: Progress,
) -> list[LedgerSummary]:
    results: dict[int, LedgerSummary] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(summarise_ledger, path, period, as_of): n
            for n, path in enumerate(paths)
        }
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            report(len(results), len(paths))
    return [results[n] for n in range(len(paths))]


def _on_dask(
    paths: Sequence[str],
    period: Period,
    as_of: datetime.date,
    scheduler: str,
    report: Progress,
) -> list[LedgerSummary]:
    try:
        from distributed import Client  # noqa: PLC0415 (optional dependency)
        from distributed import as_completed as dask_completed  # noqa: PLC0415
    except ImportError as error:
        raise ConsolidationError(
            "running on a Dask cluster needs Dask's distributed package: "
            "pip install 'coopfund[dask]' (or leave out --scheduler to use this "
            "machine's cores)"
        ) from error
    try:
        client = Client(scheduler, timeout=30)  # type: ignore[no-untyped-call]
    except OSError as error:
        raise ConsolidationError(
            f"cannot reach the Dask scheduler at {scheduler} ({error}); check the "
            "address, or leave out --scheduler to use this machine's cores"
        ) from error
    with client:
        futures = client.map(
            summarise_ledger, list(paths), period=period, as_of=as_of, pure=False
        )
        index = {future.key: n for n, future in enumerate(futures)}
        results: dict[int, LedgerSummary] = {}
        for future in dask_completed(futures):  # type: ignore[no-untyped-call]
            results[index[future.key]] = future.result()
            report(len(results), len(paths))
    return [results[n] for n in range(len(paths))]
