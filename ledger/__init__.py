"""Everything that reads or writes the federation's Beancount ledger.

The federation, its co-ops, their worker collectives and the leases between them
are declared in the ledger itself as ``custom`` directives; :mod:`ledger.plugin`
turns them into the chart of accounts and dated rent charges, so every number a
treasurer or member sees can be traced back to a line of the ledger.
"""
