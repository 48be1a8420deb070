"""What people look at: tables for the command line, and the Fava extension.

Everything here is a thin adapter over :mod:`ledger` (and, later, ``allocation``):
the numbers are computed there, and only shaped, formatted and served here.
"""
