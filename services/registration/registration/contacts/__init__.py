"""Debtor contacts for the notify service (issue #11): a case's debtor phone, read by notify's service account
at send time (events carry no personal data), each read audited as ``case.read``."""

from registration.contacts import api
from registration.web.feature import Feature

FEATURE = Feature("contacts", [api.router])
