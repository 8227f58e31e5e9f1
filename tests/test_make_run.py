"""``make run``'s launcher: the dev stack (real Kafka and Keycloak) and all four services, stopped cleanly on
Ctrl-C; and nothing accepted is lost across a stop in the middle of a burst of registrations."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from contracts.citizen_id import check_digit as citizen_id_check_digit
from infra.dev.accounts import dev_people
from infra.dev.launcher import Launcher
from infra.dev.services import SERVICES
from infra.dev.testing import wait_until

PEOPLE = {p.label_en: p.citizen_id for p in dev_people()}
REGISTRAR = PEOPLE["Registrar, Mueang Sakon Nakhon"]
DISTRICT_OFFICER = PEOPLE["District officer, Mueang Sakon Nakhon"]
AUDITOR = PEOPLE["Auditor"]
BURST = 40


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    rest = process.communicate(timeout=90)[0].decode()
    assert process.returncode == 0 and "Stopped." in rest, rest


def started_and_ready(launcher: Launcher, output: str) -> None:
    for spec in SERVICES:
        url = launcher.url(spec.name)
        assert url in output
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200, spec.name
    assert "Keycloak" in output and "Kafka" in output and "ThaiD" in output
    assert REGISTRAR in output  # the dev people to choose on the simulator's page


def stopped(launcher: Launcher) -> None:
    for spec in SERVICES:
        try:
            httpx.get(f"{launcher.url(spec.name)}/healthz", timeout=2)
            raise AssertionError(f"{spec.name} still answers after Ctrl-C")
        except httpx.ConnectError:
            pass
    for part in ("mongo", "kafka", "keycloak"):
        assert (launcher.var / part).is_dir(), f"{part} data must live under var/ to survive restarts"


def test_registrations_accepted_before_ctrl_c_all_reach_totals_and_the_audit_log(tmp_path: Path) -> None:
    """One launcher, stopped in the middle of a burst and started again (each start takes a while)."""
    launcher = Launcher(tmp_path / "var")
    accepted: list[str] = []
    with launcher.running() as (process, output):
        started_and_ready(launcher, output)
        registrar = launcher.token(REGISTRAR, "debt-staff")
        enough = threading.Event()

        def register(n: int) -> None:
            try:
                answer = httpx.post(f"{launcher.url('registration')}/api/v1/registrations", timeout=30,
                                    headers={"Authorization": f"Bearer {registrar}"}, json=desk_body(n))
            except httpx.HTTPError:
                return  # refused while stopping: never accepted, so nothing to lose
            if answer.status_code == 201:
                accepted.append(answer.json()["case_id"])
                if len(accepted) >= BURST // 4:
                    enough.set()

        with ThreadPoolExecutor(8) as pool:
            for n in range(BURST):
                pool.submit(register, n)
            assert enough.wait(60), "no registrations were accepted"
            process.send_signal(signal.SIGINT)  # Ctrl-C in the middle of the burst
        assert "Stopped." in process.communicate(timeout=90)[0].decode() and process.returncode == 0
    stopped(launcher)
    assert accepted

    with launcher.running() as (process, _):  # the same var/: Kafka's and Keycloak's data kept
        officer = launcher.token(DISTRICT_OFFICER, "debt-staff")
        auditor = launcher.token(AUDITOR, "debt-staff")
        with httpx.Client(base_url=launcher.url("reporting"), timeout=10,
                          headers={"Authorization": f"Bearer {officer}"}) as reporting:
            def counted() -> int:
                return int(reporting.get("/api/v1/totals").json()["totals"].get("cases", 0))
            wait_until(lambda: counted() >= len(accepted), timeout=60)
            assert counted() == len(accepted)  # each accepted registration once: none lost, none twice
        with httpx.Client(base_url=launcher.url("identity"), timeout=10,
                          headers={"Authorization": f"Bearer {auditor}"}) as identity:
            def audited(case_id: str) -> bool:
                found = identity.get("/api/v1/audit", params={"case_id": case_id, "action": "case.create"})
                return found.status_code == 200 and found.json()["total"] == 1
            missing = [case_id for case_id in accepted if not wait_until(lambda c=case_id: audited(c), timeout=30)]
            assert not missing, f"{len(missing)} of {len(accepted)} accepted registrations not in the audit log"
        stop(process)


def desk_body(n: int) -> dict[str, Any]:
    first12 = f"5{time.time_ns() % 10**6:06d}{n:05d}"
    return {
        "channel": "desk",
        "debtor": {"citizen_id": first12 + str(citizen_id_check_digit(first12)), "title": "นาง",
                   "given_name": "สมศรี", "family_name": "ใจดี", "birth_date": "12/03/2520", "phone": "0812345678",
                   "address": {"line": "99 หมู่ 3", "subdistrict_code": "470101", "district_code": "4701",
                               "province_code": "47", "postal_code": "47000"}},
        "creditors": [{"kind": "person", "debts": [{"principal": "20,000", "outstanding": "26,000.50"}]}],
        "help_wanted": ["mediation"],
        "privacy_acknowledged": True,
    }
