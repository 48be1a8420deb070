"""The demo federation: one region, six local co-ops, thirteen worker collectives.

Sizes follow the domain notes (members per co-op from 350 to 4,200; collectives of
4 to 45 workers; rents of EUR 600 to 9,000 a month). The leases cover every kind
the rent schedule knows: monthly, quarterly and yearly rent, two rent-free leases,
a six-month rent holiday, fixed and CPI indexation (capped at 5 %), a rent change,
a termination mid-month followed by a new lease, and partial first periods. The
payers range from punctual to three collectives in arrears.

Books run from 1 November 2023 to 31 October 2026; November 2026 is left in the
banks' statement files, for the treasurers to reconcile.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from ledger.demo.spec import CandidateSpec
from ledger.demo.spec import CollectiveSpec
from ledger.demo.spec import CoopSpec
from ledger.demo.spec import FederationSpec
from ledger.demo.spec import LeaseSpec
from ledger.demo.spec import PayerHabits
from ledger.demo.spec import ProposalSpec
from ledger.demo.spec import RoundSpec
from ledger.demo.spec import iban

D = Decimal
day = datetime.date

_BANK = 43060967  # a made-up co-operative bank's code
_OTHER_BANK = 37040044  # and another bank


def _cpi() -> tuple[tuple[datetime.date, Decimal], ...]:
    """Illustrative monthly consumer-price index values (not real statistics).

    Prices rise about 3.2 % in the first year, 6.8 % in the second (so the 5 % cap
    on the Bakery's lease bites at its second review) and 2 % in the third.
    """
    values = []
    level = D("118.0")
    month = day(2023, 10, 1)
    while month <= day(2026, 10, 1):
        values.append((month, level.quantize(D("0.1"))))
        monthly = D("1.0026") if month < day(2024, 11, 1) else D("1.0055")
        if month >= day(2025, 11, 1):
            monthly = D("1.0017")
        level *= monthly
        month = day(month.year + month.month // 12, month.month % 12 + 1, 1)
    return tuple(values)


COOPS = (
    CoopSpec(
        "Harbour",
        "Harbour Consumer Co-operative",
        350,
        iban(_BANK, 1001),
        "csv",
        D("18000.00"),
        D("6000.00"),
    ),
    CoopSpec(
        "Millbrook",
        "Millbrook Consumer Co-operative",
        800,
        iban(_BANK, 1002),
        "camt053",
        D("42000.00"),
        D("15000.00"),
    ),
    CoopSpec(
        "Riverside",
        "Riverside Consumer Co-operative",
        1500,
        iban(_BANK, 1003),
        "csv",
        D("65000.00"),
        D("30000.00"),
    ),
    CoopSpec(
        "Oakfield",
        "Oakfield Consumer Co-operative",
        2200,
        iban(_BANK, 1004),
        "camt053",
        D("80000.00"),
        D("35000.00"),
    ),
    CoopSpec(
        "Eastgate",
        "Eastgate Consumer Co-operative",
        3000,
        iban(_BANK, 1005),
        "csv",
        D("120000.00"),
        D("60000.00"),
    ),
    CoopSpec(
        "Central",
        "Central City Consumer Co-operative",
        4200,
        iban(_BANK, 1006),
        "camt053",
        D("150000.00"),
        D("70000.00"),
    ),
)

_PUNCTUAL = PayerHabits(delay=(0, 3))
_SOMETIMES_LATE = PayerHabits(delay=(0, 5), late_chance=0.2)

COLLECTIVES = (
    CollectiveSpec("Netmenders", "Harbour Net Menders", "Harbour", 4, iban(_BANK, 2001)),
    # Pays from a member's account the ledger does not know: placed by its name.
    CollectiveSpec(
        "Sailmakers",
        "Sail Loft Workers' Collective",
        "Harbour",
        7,
        iban(_BANK, 2002),
        _PUNCTUAL,
        "Sail Loft rent {period}",
        pays_from=iban(_OTHER_BANK, 771234),
    ),
    # Moved its bank account in 2025 (see PAYERS): placed by that account.
    CollectiveSpec(
        "Bicycles",
        "Millbrook Bicycle Workshop",
        "Millbrook",
        6,
        iban(_BANK, 2003),
        _PUNCTUAL,
        "Station Arch 2, rent {period}",
        pays_from=iban(_OTHER_BANK, 2003),
    ),
    CollectiveSpec(
        "Printers",
        "Millbrook Print Collective",
        "Millbrook",
        9,
        iban(_BANK, 2004),
        PayerHabits(delay=(0, 4), overpay_chance=0.25),
    ),
    CollectiveSpec(
        "Bakery",
        "Bread & Roses Bakery Collective",
        "Riverside",
        12,
        iban(_BANK, 2005),
        _SOMETIMES_LATE,
    ),
    CollectiveSpec(
        "Childcare",
        "Little Acorns Childcare Collective",
        "Riverside",
        18,
        iban(_BANK, 2006),
    ),
    CollectiveSpec(
        "Brewery",
        "Oakfield Brewers' Collective",
        "Oakfield",
        14,
        iban(_BANK, 2007),
        PayerHabits(
            delay=(2, 12), late_chance=0.3, arrears_from=day(2026, 7, 1), arrears_share=0.0
        ),
        "Miete {period}",
    ),
    CollectiveSpec(
        "Repair",
        "Fix-It Repair Collective",
        "Oakfield",
        5,
        iban(_BANK, 2008),
        PayerHabits(delay=(0, 6), partial_chance=0.3),
    ),
    CollectiveSpec(
        "Grocery",
        "Eastgate Food Workers' Co-operative",
        "Eastgate",
        45,
        iban(_BANK, 2009),
        PayerHabits(delay=(0, 2), overpay_chance=0.1),
    ),
    CollectiveSpec(
        "Carpentry",
        "Eastgate Joinery Collective",
        "Eastgate",
        11,
        iban(_BANK, 2010),
        PayerHabits(
            delay=(1, 8),
            partial_chance=0.2,
            arrears_from=day(2026, 8, 1),
            arrears_share=0.5,
        ),
    ),
    # Never quotes its lease: placed by its own account.
    CollectiveSpec(
        "Cafe",
        "Commons Café Collective",
        "Central",
        16,
        iban(_BANK, 2011),
        _PUNCTUAL,
        "Commons Corner rent {period}",
    ),
    CollectiveSpec(
        "Software",
        "Central Software Workers' Co-operative",
        "Central",
        22,
        iban(_BANK, 2012),
        PayerHabits(delay=(0, 10), partial_chance=1.0),
    ),
    CollectiveSpec(
        "Laundry",
        "Central Laundry Collective",
        "Central",
        28,
        iban(_BANK, 2013),
        PayerHabits(
            delay=(3, 15), late_chance=0.4, arrears_from=day(2026, 5, 1), arrears_share=0.0
        ),
        "rent",
    ),
)

_CPI_CAPPED = {
    "indexation": "index",
    "index": "CPI",
    "index-cap": D(5),
    "index-floor": D(0),
}

LEASES = (
    LeaseSpec("HAR-QUAY", "Netmenders", "Quay Shed 3", day(2023, 11, 1), D("0.00")),
    LeaseSpec("HAR-LOFT", "Sailmakers", "Sail Loft", day(2023, 11, 1), D("700.00")),
    LeaseSpec(
        "MIL-ARCH",
        "Bicycles",
        "Station Arch 2",
        day(2023, 11, 1),
        D("950.00"),
        indexation={"indexation": "fixed", "indexation-rate": D(2)},
        deposit=D("1900.00"),
    ),
    LeaseSpec(
        "MIL-MILL",
        "Printers",
        "Old Mill, Unit B",
        day(2024, 1, 1),
        D("4200.00"),
        frequency="quarterly",
        due_day=5,
    ),
    LeaseSpec(
        "RIV-MILL12",
        "Bakery",
        "12 Mill Street",
        day(2023, 11, 1),
        D("2400.00"),
        indexation=_CPI_CAPPED,
        deposit=D("4800.00"),
    ),
    LeaseSpec("RIV-ACORN", "Childcare", "Acorn House", day(2023, 11, 1), D("0.00")),
    LeaseSpec(
        "OAK-MALT",
        "Brewery",
        "Maltings Hall",
        day(2024, 3, 1),
        D("3800.00"),
        holiday_months=6,
    ),
    LeaseSpec(
        "OAK-ARCADE",
        "Repair",
        "Market Arcade 7",
        day(2023, 11, 1),
        D("650.00"),
        due_day=10,
        terminated=day(2025, 6, 15),
        termination_reason="The collective moved to the Library Annex",
    ),
    LeaseSpec("OAK-LIBRARY", "Repair", "Library Annex", day(2025, 6, 16), D("820.00")),
    LeaseSpec(
        "EAS-HALL",
        "Grocery",
        "Eastgate Market Hall",
        day(2023, 11, 1),
        D("8900.00"),
        deposit=D("17800.00"),
        rent_changes=((day(2025, 1, 1), D("9200.00")),),
    ),
    LeaseSpec("EAS-YARD", "Carpentry", "Timber Yard", day(2024, 5, 15), D("1800.00")),
    LeaseSpec("CEN-CORNER", "Cafe", "Commons Corner", day(2023, 11, 1), D("2100.00")),
    LeaseSpec(
        "CEN-EXCHANGE",
        "Software",
        "Exchange Building, 3rd floor",
        day(2024, 1, 1),
        D("30000.00"),
        frequency="yearly",
        due_day=15,
    ),
    LeaseSpec(
        "CEN-WASH",
        "Laundry",
        "Wash House",
        day(2023, 11, 1),
        D("3200.00"),
        end=day(2027, 10, 31),
    ),
)

PROPOSALS = (
    ProposalSpec(
        "P24-01",
        "Riverside",
        "Solar panels for Acorn House",
        D("24000.00"),
        "grant",
        day(2024, 12, 10),
        "2024",
        ((day(2025, 2, 1), D("12000.00")), (day(2025, 5, 1), D("12000.00"))),
    ),
    ProposalSpec(
        "P24-02",
        "Eastgate",
        "Cold store for the market hall",
        D("60000.00"),
        "loan",
        day(2024, 12, 10),
        "2024",
        ((day(2025, 1, 15), D("60000.00")),),
        D("1250.00"),
    ),
    ProposalSpec(
        "P24-03",
        "Central",
        "Energy retrofit of the Wash House",
        D("45000.00"),
        "grant",
        day(2024, 12, 10),
        "2024",
        ((day(2025, 3, 1), D("30000.00")),),
    ),
    ProposalSpec(
        "P25-01",
        "Oakfield",
        "Bottling line for the brewery",
        D("40000.00"),
        "loan",
        day(2025, 12, 9),
        "2025",
        ((day(2026, 2, 1), D("25000.00")),),
        D("500.00"),
    ),
    ProposalSpec(
        "P25-02",
        "Millbrook",
        "Risograph for the print collective",
        D("9500.00"),
        "grant",
        day(2025, 12, 9),
        "2025",
        ((day(2026, 1, 20), D("9500.00")),),
    ),
    ProposalSpec(
        "P25-03",
        "Central",
        "Apprenticeships at the software co-op",
        D("30000.00"),
        "grant",
        day(2025, 12, 9),
        "2025",
        ((day(2026, 3, 1), D("10000.00")), (day(2026, 9, 1), D("10000.00"))),
    ),
    ProposalSpec(
        "P25-04",
        "Harbour",
        "New roof for Quay Shed 3",
        D("8000.00"),
        "grant",
        day(2025, 12, 9),
        "2025",
    ),
    ProposalSpec(
        "P25-R1",
        "North",
        "Start-up workshop for new collectives",
        D("150000.00"),
        "loan",
        day(2025, 12, 9),
        "2025",
        ((day(2026, 4, 1), D("100000.00")),),
    ),
)

_VOTING = {
    "opens": day(2026, 11, 16),
    "closes": day(2026, 12, 13),
    "cutoff": day(2026, 10, 31),
}

ROUNDS = (
    RoundSpec(
        "R2026-CEN",
        "Central",
        **_VOTING,
        max_ranks=3,
        points="borda",
        budget=None,
        rule="utilitarian",
        quorum="5%",
        conflict="report",
    ),
    RoundSpec(
        "R2026-NORTH",
        "North",
        **_VOTING,
        max_ranks=5,
        points="fixed:5,4,3,2,1",
        budget=D("200000.00"),
        rule="mes",
        quorum="5%",
        conflict="exclude",
    ),
)

CANDIDATES = (
    CandidateSpec(
        "P26-C1",
        "R2026-CEN",
        "Central",
        "Heat pumps for the Wash House",
        D("45000.00"),
        "loan",
        "energy",
        "Replace the gas boilers; the laundry repays from the saved gas bill.",
        collective="Laundry",
    ),
    CandidateSpec(
        "P26-C2",
        "R2026-CEN",
        "Central",
        "A bigger kitchen for the Commons Café",
        D("28000.00"),
        "loan",
        "workplace",
        "Second cooking line so the café can serve the lunch crowd.",
        collective="Cafe",
    ),
    CandidateSpec(
        "P26-C3",
        "R2026-CEN",
        "Central",
        "Coding club for members' children",
        D("18000.00"),
        "grant",
        "education",
        "Two years of Saturday sessions run by the software co-op.",
        collective="Software",
    ),
    CandidateSpec(
        "P26-C4",
        "R2026-CEN",
        "Central",
        "Shared cargo bikes for deliveries",
        D("12500.00"),
        "grant",
        "transport",
        "Five cargo bikes any collective of the co-op can book.",
    ),
    CandidateSpec(
        "P26-C5",
        "R2026-CEN",
        "Central",
        "Solar carport at the Exchange Building",
        D("60000.00"),
        "equity",
        "energy",
        "A stake in the community energy co-op that builds and runs it.",
        minimum=D("40000.00"),
    ),
    CandidateSpec(
        "P26-C6",
        "R2026-CEN",
        "Central",
        "Food bank partnership",
        D("8000.00"),
        "grant",
        "community",
        "Fresh produce for the district food bank for a year.",
    ),
    CandidateSpec(
        "P26-R1",
        "R2026-NORTH",
        "North",
        "Start-up fund for new collectives",
        D("90000.00"),
        "loan",
        "development",
        "Revolving loans of up to 15,000 to collectives in their first year.",
    ),
    CandidateSpec(
        "P26-R2",
        "R2026-NORTH",
        "North",
        "Regional bakery supply warehouse",
        D("70000.00"),
        "equity",
        "workplace",
        "A shared cold store and flour silo serving the region's bakeries.",
        collective="Bakery",
    ),
    CandidateSpec(
        "P26-R3",
        "R2026-NORTH",
        "North",
        "Worker-owner training programme",
        D("35000.00"),
        "grant",
        "education",
        "Governance and bookkeeping courses for members of every collective.",
    ),
    CandidateSpec(
        "P26-R4",
        "R2026-NORTH",
        "North",
        "Retrofit fund for old workplaces",
        D("80000.00"),
        "loan",
        "energy",
        "Insulation and heating loans for the federation's oldest buildings.",
        minimum=D("50000.00"),
    ),
    CandidateSpec(
        "P26-R5",
        "R2026-NORTH",
        "North",
        "Harbour net-loft restoration",
        D("25000.00"),
        "grant",
        "heritage",
        "Restore the listed net loft the Net Menders work in.",
        collective="Netmenders",
    ),
    CandidateSpec(
        "P26-R6",
        "R2026-NORTH",
        "North",
        "Legal aid for collectives",
        D("15000.00"),
        "grant",
        "community",
        "A retained co-operative lawyer for contracts and disputes.",
        regional=True,
    ),
)

NORTHERN = FederationSpec(
    title="Northern Federation",
    region="North",
    region_name="Northern Federation of Consumer Co-operatives",
    region_iban=iban(_BANK, 1000),
    region_opening=D("400000.00"),
    region_reserve=D("100000.00"),
    currency="EUR",
    coops=COOPS,
    collectives=COLLECTIVES,
    leases=LEASES,
    proposals=PROPOSALS,
    payers=((day(2025, 6, 1), "Bicycles", iban(_OTHER_BANK, 2003)),),
    rounds=ROUNDS,
    candidates=CANDIDATES,
    index="CPI",
    index_values=_cpi(),
    start=day(2023, 11, 1),
    end=day(2026, 10, 31),
    reserve_share=D("0.30"),
    seed="northern-federation",
    local_limit=D("60000.00"),
    levy_rate="3%",
    unpaid_levies=frozenset({"levy-Eastgate-2025"}),
)
