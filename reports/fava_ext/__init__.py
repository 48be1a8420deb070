"""coopfund's pages in Fava.

Declared in the ledger with ``custom "fava-extension" "reports.fava_ext"``. Fava
creates one instance per ledger; each page computes its figures with :mod:`ledger`
and only shapes them into Fava's own table and chart components here.

The pages honour Fava's time filter: with a period selected, figures are as of
the period's last day; otherwise as of the ledger's last entry.
"""

from reports.fava_ext.federation_page import Federation
from reports.fava_ext.fund_page import Fund
from reports.fava_ext.rent_page import RentRoll
from reports.fava_ext.rounds_page import Rounds

__all__ = ["Federation", "Fund", "RentRoll", "Rounds"]
