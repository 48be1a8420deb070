"""Bank statements: what a bank says happened on a fund's account.

Each supported format (CSV exports, OFX, ISO 20022 camt.053, SWIFT MT940) is read
by a well-kept parser where one exists, and turned into the same small model
(:mod:`ledger.bank.model`), which is all that matching and booking ever see.
"""
