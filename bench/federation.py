"""Synthetic federations at benchmark scale, written with the demo's own machinery.

A benchmark federation is one region with ``coops`` local co-ops. Every co-op has
the same ten collectives and eleven leases, each drawn with its own rents and dates
from a random stream seeded by the co-op's number, so a federation twice as large
has twice the entries and no co-op (and no account) grows with the federation:
the busiest account, a co-op's Unallocated envelope, gets about 90 postings a year.

The leases cover what the demo's Northern Federation covers: monthly, quarterly
and yearly rent, a rent-free lease, a rent holiday starting mid-month, fixed and
CPI indexation (capped and uncapped), a rent change, a lease with an end date, a
termination followed by a new lease, and payers from punctual to in arrears.

:func:`ensure_ledger` writes one size into ``bench/out/<size>/``::

    main.beancount      the demo's main file: options, the rent plugin, includes
    bare.beancount      the same without the plugin line, plus chart.beancount
    chart.beancount     the ``open`` directives the plugin would generate
    text.beancount      bare.beancount plus charges.beancount: the same books with
                        no plugin, as a ledger that writes its charges out would be
    charges.beancount   the rent charges and credit applications the plugin makes
    federation.beancount, <region>.beancount, coops/*/   as in the demo
    manifest.json       what was generated, and how many entries it holds
"""

from __future__ import annotations

import datetime
import json
import random
import re
import shutil
import tempfile
import time
from dataclasses import asdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data
from beancount.parser import parser

from ledger.demo import MAIN
from ledger.demo import demo_files
from ledger.demo.declarations import render
from ledger.demo.spec import CollectiveSpec
from ledger.demo.spec import CoopSpec
from ledger.demo.spec import FederationSpec
from ledger.demo.spec import LeaseSpec
from ledger.demo.spec import PayerHabits
from ledger.demo.spec import iban
from ledger.federation import read_federation
from ledger.openings import open_entries
from ledger.periods import add_months
from ledger.rent import CHARGE_SOURCE
from ledger.rent import CREDIT_SOURCE

D = Decimal
day = datetime.date

#: Where the generated ledgers go (ignored by git).
OUT = Path(__file__).resolve().parent / "out"
#: The main file without the plugin line, and the ``open`` directives it includes.
BARE = "bare.beancount"
CHART = "chart.beancount"
#: The same books without the plugin, the charges written out as text.
TEXT = "text.beancount"
CHARGES = "charges.beancount"
MANIFEST = "manifest.json"
#: Bumped whenever the generated ledgers change, so old copies are regenerated.
FORMAT = 3

_BANK = 50010517  # a made-up co-operative bank's code
_REGION = "North"
_LAST_DAY = day(2025, 12, 31)


@dataclass(frozen=True)
class Scale:
    """How big a benchmark federation is."""

    name: str
    coops: int
    years: int = 10


#: Co-op counts chosen so that the files hold about 10k, 100k and 500k entries
#: (about 1,015 entries per co-op over ten years, plus about 250 for the region and
#: the index; ``bench.load`` prints the exact counts).
SCALES = {
    scale.name: scale
    for scale in (
        Scale("10k", 10),
        Scale("100k", 98),
        Scale("500k", 490),
    )
}


def scale_named(name: str) -> Scale:
    """A scale from :data:`SCALES`, or ``coops=N`` / ``coops=N,years=Y`` for others."""
    if name in SCALES:
        return SCALES[name]
    match = re.fullmatch(r"coops=(\d+)(?:,years=(\d+))?", name)
    if not match:
        known = ", ".join(SCALES)
        raise ValueError(f"unknown size {name!r}: use one of {known} or coops=N[,years=Y]")
    years = int(match.group(2) or 10)
    return Scale(f"{match.group(1)}coops-{years}y", int(match.group(1)), years)


# --- the federation --------------------------------------------------------------


def federation_spec(coops: int, years: int = 10, seed: str = "bench") -> FederationSpec:
    """A federation of ``coops`` co-ops with ``years`` of books ending 2025-12-31."""
    if coops < 1 or years < 3:
        raise ValueError("a benchmark federation needs at least 1 co-op and 3 years")
    start = day(_LAST_DAY.year - years + 1, 1, 1)
    coop_specs: list[CoopSpec] = []
    collectives: list[CollectiveSpec] = []
    leases: list[LeaseSpec] = []
    for number in range(1, coops + 1):
        rng = random.Random(f"{seed}:coop:{number}")
        coop = CoopSpec(
            f"Coop{number:04d}",
            f"Consumer Co-operative no. {number}",
            rng.randint(300, 5000),
            iban(_BANK, 100_000 + number),
            "csv" if number % 2 else "camt053",
            D(rng.randint(10, 150) * 1000),
            D(rng.randint(5, 60) * 1000),
        )
        coop_specs.append(coop)
        coop_collectives, coop_leases = _coop_tenants(number, coop.id, start, years, rng)
        collectives += coop_collectives
        leases += coop_leases
    return FederationSpec(
        title="Benchmark Federation",
        region=_REGION,
        region_name="Benchmark Federation of Consumer Co-operatives",
        region_iban=iban(_BANK, 100_000),
        region_opening=D("1000000.00"),
        region_reserve=D("250000.00"),
        currency="EUR",
        coops=tuple(coop_specs),
        collectives=tuple(collectives),
        leases=tuple(leases),
        proposals=(),
        payers=(),
        rounds=(),
        candidates=(),
        index="CPI",
        index_values=_cpi(start, seed),
        start=start,
        end=_LAST_DAY,
        reserve_share=D("0.30"),
        seed=seed,
        statements=False,
        members=False,
    )


def _cpi(start: datetime.date, seed: str) -> tuple[tuple[datetime.date, Decimal], ...]:
    """Monthly index values from the month before the books start, rising 1-6 % a year."""
    rng = random.Random(f"{seed}:cpi")
    values = []
    level = D("100.0")
    month = add_months(start, -1)
    while month <= _LAST_DAY:
        values.append((month, level.quantize(D("0.1"))))
        level *= 1 + D(rng.randint(8, 50)) / 10_000
        month = add_months(month, 1)
    return tuple(values)


_PUNCTUAL = PayerHabits(delay=(0, 3))
_SOMETIMES_LATE = PayerHabits(delay=(0, 5), late_chance=0.2)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """A rent between ``low`` and ``high`` euros, in steps of 10."""
    return D(rng.randint(low // 10, high // 10) * 10).quantize(D("0.01"))


def _coop_tenants(
    number: int, coop: str, start: datetime.date, years: int, rng: random.Random
) -> tuple[list[CollectiveSpec], list[LeaseSpec]]:
    """The ten collectives of co-op ``number`` and their eleven leases."""
    months = years * 12
    collectives: list[CollectiveSpec] = []
    leases: list[LeaseSpec] = []

    def collective(
        trade: str,
        name: str,
        habits: PayerHabits,
        remittance: str = "Rent {period} {lease}",
    ) -> str:
        ident = f"{trade}-{number:04d}"
        account = 200_000 + number * 100 + len(collectives)
        collectives.append(
            CollectiveSpec(
                ident,
                f"{name} of co-op {number}",
                coop,
                rng.randint(3, 40),
                iban(_BANK, account),
                habits,
                remittance,
            )
        )
        return ident

    def lease_id(kind: str) -> str:
        return f"C{number:04d}-{kind}"

    def month(offset: int, on: int = 1) -> datetime.date:
        return add_months(start, offset).replace(day=on)

    bakery = collective("Bakery", "Bread & Roses Bakery", _SOMETIMES_LATE)
    rent = _money(rng, 1500, 3000)
    leases.append(
        LeaseSpec(
            lease_id("MILL"),
            bakery,
            "12 Mill Street",
            month(rng.randint(0, 2)),
            rent,
            indexation={
                "indexation": "index",
                "index": "CPI",
                "index-cap": D(5),
                "index-floor": D(0),
            },
            deposit=rent * 2,
        )
    )
    printers = collective(
        "Printers", "Print Collective", PayerHabits(delay=(0, 4), overpay_chance=0.25)
    )
    leases.append(
        LeaseSpec(
            lease_id("OLDMILL"),
            printers,
            "Old Mill, Unit B",
            month(rng.randint(0, 5)),
            _money(rng, 3000, 6000),
            frequency="quarterly",
            due_day=5,
        )
    )
    bicycles = collective("Bicycles", "Bicycle Workshop", _PUNCTUAL)
    rent = _money(rng, 700, 1200)
    leases.append(
        LeaseSpec(
            lease_id("ARCH"),
            bicycles,
            "Station Arch 2",
            month(rng.randint(0, 12)),
            rent,
            indexation={"indexation": "fixed", "indexation-rate": D(rng.choice([1, 2, 3]))},
            deposit=rent * 2,
        )
    )
    in_arrears = number % 3 == 0
    brewery = collective(
        "Brewery",
        "Brewers' Collective",
        PayerHabits(
            delay=(2, 12),
            late_chance=0.3,
            arrears_from=month(months - 5) if in_arrears else None,
            arrears_share=0.0,
        ),
        "Miete {period}",
    )
    leases.append(
        LeaseSpec(
            lease_id("MALT"),
            brewery,
            "Maltings Hall",
            month(rng.randint(0, 11), rng.randint(10, 20)),
            _money(rng, 2500, 4500),
            holiday_months=6,
        )
    )
    repair = collective(
        "Repair", "Fix-It Repair Collective", PayerHabits((0, 6), partial_chance=0.3)
    )
    moved = month(months * 2 // 5 + rng.randint(-6, 6), 15)
    leases.append(
        LeaseSpec(
            lease_id("ARCADE"),
            repair,
            "Market Arcade 7",
            month(rng.randint(0, 3)),
            _money(rng, 500, 900),
            due_day=10,
            deposit=D("1000.00"),
            terminated=moved,
            termination_reason="The collective moved to the Library Annex",
        )
    )
    leases.append(
        LeaseSpec(
            lease_id("LIBRARY"),
            repair,
            "Library Annex",
            moved + datetime.timedelta(days=1),
            _money(rng, 700, 1000),
        )
    )
    grocery = collective(
        "Grocery", "Food Workers' Co-operative", PayerHabits((0, 2), overpay_chance=0.1)
    )
    rent = _money(rng, 7000, 10000)
    leases.append(
        LeaseSpec(
            lease_id("HALL"),
            grocery,
            "Market Hall",
            month(0),
            rent,
            deposit=rent * 2,
            rent_changes=((month(months // 2 + rng.randint(-3, 3)), rent + 300),),
        )
    )
    software = collective(
        "Software",
        "Software Workers' Co-operative",
        PayerHabits(delay=(0, 10), partial_chance=1.0),
    )
    leases.append(
        LeaseSpec(
            lease_id("EXCHANGE"),
            software,
            "Exchange Building, 3rd floor",
            month(rng.randint(0, 12)),
            _money(rng, 20000, 40000),
            frequency="yearly",
            due_day=15,
        )
    )
    childcare = collective("Childcare", "Little Acorns Childcare", _PUNCTUAL)
    leases.append(LeaseSpec(lease_id("ACORN"), childcare, "Acorn House", start, D(0)))
    laundry = collective(
        "Laundry",
        "Laundry Collective",
        PayerHabits(
            delay=(3, 15),
            late_chance=0.4,
            arrears_from=month(months * 2 // 3) if number % 4 == 1 else None,
            arrears_share=0.5,
        ),
        "rent",
    )
    opened = month(rng.randint(0, 6))
    leases.append(
        LeaseSpec(
            lease_id("WASH"),
            laundry,
            "Wash House",
            opened,
            _money(rng, 2500, 3500),
            end=add_months(opened, months * 3 // 4) - datetime.timedelta(days=1),
        )
    )
    cafe = collective("Cafe", "Commons Cafe Collective", _PUNCTUAL)
    leases.append(
        LeaseSpec(
            lease_id("CORNER"),
            cafe,
            "Commons Corner",
            month(rng.randint(12, 24)),
            _money(rng, 1500, 2500),
            indexation={"indexation": "index", "index": "CPI"},
        )
    )
    return collectives, leases


# --- writing it --------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    """What ``bench/out/<size>/`` holds."""

    format: int
    size: str
    coops: int
    years: int
    collectives: int
    leases: int
    first_day: str
    last_day: str
    #: Directives in the files that main.beancount includes (and main itself).
    entries_written: int
    #: The ``open`` directives in chart.beancount (bare and text loads only).
    chart_opens: int
    #: The charges and credit applications in charges.beancount (text load only).
    charges_written: int
    files: int
    megabytes: float
    generate_seconds: float

    @property
    def directory(self) -> Path:
        """Where the ledger is."""
        return OUT / self.size


_DIRECTIVE = re.compile(rb"^\d{4}-\d{2}-\d{2} ", re.MULTILINE)
_OPEN = re.compile(r"^\d{4}-\d{2}-\d{2} open (\S+)", re.MULTILINE)


def count_directives(text: bytes) -> int:
    """Dated directives in Beancount text: each starts a line with its date."""
    return len(_DIRECTIVE.findall(text))


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest of a generated ledger, if it is complete and current."""
    try:
        values = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        manifest = Manifest(**values)
    except (OSError, ValueError, TypeError):
        return None
    return manifest if manifest.format == FORMAT else None


def ensure_ledger(scale: Scale, *, regenerate: bool = False, log: bool = True) -> Manifest:
    """Generate ``bench/out/<size>/`` unless an identical one is already there."""
    directory = OUT / scale.name
    manifest = None if regenerate else read_manifest(directory)
    if manifest and (manifest.coops, manifest.years) == (scale.coops, scale.years):
        return manifest
    if log:
        print(
            f"[{scale.name}] generating {scale.coops} co-ops x {scale.years} years "
            f"into {directory} ...",
            flush=True,
        )
    began = time.perf_counter()
    spec = federation_spec(scale.coops, scale.years)
    files = demo_files(spec)
    files[BARE], files[CHART] = bare_files(files)
    OUT.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{scale.name}-", dir=OUT))
    try:
        for name, text in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        written = sum(
            count_directives(text.encode())
            for name, text in files.items()
            if name.endswith(".beancount")
            and name not in (BARE, CHART)
            # (each co-op's own main file opens its books alone; the region's
            # main file, which is loaded here, includes their books directly)
            and not (name.startswith("coops/") and name.endswith("/main.beancount"))
        )
        files[TEXT], files[CHARGES] = text_files(staging, files[BARE])
        for name in (TEXT, CHARGES):
            (staging / name).write_text(files[name], encoding="utf-8")
        manifest = Manifest(
            format=FORMAT,
            size=scale.name,
            coops=scale.coops,
            years=scale.years,
            collectives=len(spec.collectives),
            leases=len(spec.leases),
            first_day=str(spec.start),
            last_day=str(spec.end),
            entries_written=written,
            chart_opens=count_directives(files[CHART].encode()),
            charges_written=count_directives(files[CHARGES].encode()),
            files=len(files),
            megabytes=round(sum(len(t.encode()) for t in files.values()) / 2**20, 1),
            generate_seconds=round(time.perf_counter() - began, 1),
        )
        (staging / MANIFEST).write_text(
            json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8"
        )
        if directory.exists():
            shutil.rmtree(directory)
        staging.rename(directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    if log:
        print(
            f"[{scale.name}] wrote {manifest.entries_written:,} entries "
            f"({manifest.megabytes} MB, {manifest.files} files) "
            f"in {manifest.generate_seconds} s",
            flush=True,
        )
    return manifest


def bare_files(files: dict[str, str]) -> tuple[str, str]:
    """``bare.beancount`` and ``chart.beancount`` for the demo files ``files``.

    The bare main file is main.beancount without the plugin line, including the
    ``open`` directives the plugin would have generated, so that Beancount's bare
    load sees the same accounts and validates the same written entries.
    """
    main_lines = files[MAIN].splitlines()
    kept = [line for line in main_lines if not line.startswith('plugin "ledger.plugin"')]
    if len(kept) != len(main_lines) - 1:
        raise RuntimeError(f"{MAIN} should have exactly one ledger.plugin line")
    kept[0:0] = [
        "; The benchmark's bare ledger: main.beancount without the coopfund plugin,",
        "; with the open directives the plugin would generate in chart.beancount.",
    ]
    bare = "\n".join([*kept, f'include "{CHART}"', ""])

    books = {
        name: text
        for name, text in files.items()
        if name.endswith(".beancount") and not name.endswith(MAIN)
    }
    declarations, errors, _ = parser.parse_string("\n".join(books.values()))
    if errors:
        raise RuntimeError(f"the generated books do not parse: {errors[0]}")
    federation, problems = read_federation(declarations, "EUR")
    if problems:
        raise RuntimeError(f"the generated books have errors: {problems[0].message}")
    already_open = {account for text in books.values() for account in _OPEN.findall(text)}
    opens = open_entries(federation, already_open)
    chart = "; The open directives the coopfund plugin generates.\n\n" + render(opens)
    return bare, chart + "\n"


def text_files(directory: Path, bare: str) -> tuple[str, str]:
    """``text.beancount`` and ``charges.beancount`` for the ledger in ``directory``.

    Loads the ledger once with the plugin and prints the transactions it generated,
    so the text variant holds exactly the plugin's books, with no plugin to run.
    """
    entries, errors, _ = loader.load_file(str(directory / MAIN))
    if errors:
        raise RuntimeError(f"{directory / MAIN} loads with errors: {errors[0].message}")
    generated = [
        entry
        for entry in entries
        if isinstance(entry, data.Transaction)
        and entry.meta["filename"] in (CHARGE_SOURCE, CREDIT_SOURCE)
    ]
    charges = "; The rent charges and credit applications the plugin generates.\n\n"
    text = bare.replace(
        "; The benchmark's bare ledger: main.beancount without the coopfund plugin,",
        "; The benchmark's text ledger: bare.beancount with the plugin's charges as text,",
    )
    return text + f'include "{CHARGES}"\n', charges + render(generated) + "\n"
