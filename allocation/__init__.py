"""From members' ballots to funded proposals.

The member register and the ballots live in an SQLite database beside the ledger
(no personal data in the books); rounds and proposals live in the ledger. This
package validates and stores ballots, issues ballot codes, reads and writes
Pabulib files, and (with the allocation work) scores ballots and chooses what to
fund.
"""
