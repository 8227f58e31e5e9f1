"""The dev stack's record of staff ThaiD links (ENV=dev, in memory): what Keycloak keeps as the
account's federated identity ``thaid`` in production. The dev issuer writes it when a staff member
completes ``kc_action=idp_link:thaid``; identity reads it through the same ``ThaidLinks`` port it uses
on Keycloak."""

from __future__ import annotations

import threading

from identity.domain.staff import ThaidLink


class DevThaidLinks:
    def __init__(self) -> None:
        self._by_account: dict[str, str] = {}
        self._lock = threading.Lock()

    def link(self, user_id: str, citizen_id: str) -> bool:
        """Links; False when this ThaiD identity is already linked to another account (Keycloak refuses
        that too)."""
        with self._lock:
            holder = next((u for u, c in self._by_account.items() if c == citizen_id), None)
            if holder is not None and holder != user_id:
                return False
            self._by_account[user_id] = citizen_id
            return True

    def thaid_link(self, user_id: str) -> ThaidLink | None:
        with self._lock:
            linked = self._by_account.get(user_id)
        return ThaidLink(linked_citizen_id=linked, account_citizen_id=None) if linked else None

    def unlink_thaid(self, user_id: str) -> None:
        with self._lock:
            self._by_account.pop(user_id, None)
