"""District casework, shared by the JSON API and the pages: contact attempts, the debtor's decision,
mediation sessions and their results, referrals, closing and reopening, transfers, assignment, letters.

Every change follows the same steps (``Casework._run``): find the case; check who may (``contracts.access``:
others' cases are NotFound, a case one may read but not work is Forbidden); check that the officer saw the
case's current revision (else Conflict ``case.changed_meanwhile``: someone else saved first, nothing is
overwritten, and the page shows the officer's entry again); check the move against the transition table
(``casework.transitions``, else Conflict ``casework.transition_refused`` explained in Thai); validate the
input (Invalid, every field problem at once); then store the new ``Case`` (revision + 1, a timeline entry
naming who and when, the next action's due date) with its case event and audit record in one transaction
(``CaseRepository.change``). Every refusal is audited as a denied update, every read as a read.

Bulk actions (assignment, letters sent) apply case by case to each case as it is now: they set only their
own facts (who is assigned, that a letter went out), so a change someone else saved meanwhile is not
overwritten and needs no revision from the client. A case that changes between reading and writing is read
again and retried; a case that cannot be changed is reported in ``BulkResult.failed`` and the batch goes on.
"""

from __future__ import annotations

from registration.casework.casework_bulk import BulkActions
from registration.casework.casework_transfers import CaseTransfers


class Casework(BulkActions, CaseTransfers):
    """All of district casework in one object, for the API, the pages and the letters: reading a case
    (``change_runner``), its actions (``casework_actions``), transfers (``casework_transfers``) and bulk
    assignment and letters (``casework_bulk``)."""
