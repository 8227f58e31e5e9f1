"""Schemathesis against every service's OpenAPI, as served by the running service (issue 8).

Every operation gets generated requests, valid by its schema (positive) and invalid (negative), with the
bearer token of a persona the route is for, and every response goes through all of Schemathesis's checks:
no server error, a documented status, the documented content type, headers and schema, invalid input
refused, missing auth refused. The number of examples is bounded (``EXAMPLES``) to keep the module quick.

identity's dev stand-ins (``/dev/`` and ``/realms/``: the dev issuer and ThaiD simulator, ENV=dev only, not
in production) are left out: they imitate Keycloak's and ThaiD's own protocols, not our API.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from infra.dev.testing import RunningService

EXAMPLES = 12  # per operation and generation mode
# Schema-valid input may still break a domain rule (a citizen ID's check digit, a staff file's rows): that is a
# 422 in the documented error shape, which response_schema_conformance checks. Schemathesis's own default list
# leaves 422 out; everything else it expects stays (never 400: a schema-valid body must always be readable).
CONFIG = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]}}})
PERSONAS = {
    "registration": ["registrar:4701", "citizen:1101700230708", "dopa_admin"],
    "identity": ["dopa_admin", "auditor", "province_officer:47"],
    "reporting": ["province_officer:47", "dopa_admin", "citizen:1101700230708"],
    "notify": ["dopa_admin"],
}


def without_its_token(case: schemathesis.Case, declared_headers: int) -> bool:
    """A negative case whose only headers are the security scheme's: its invalid header is the missing token."""
    return declared_headers == 0 and case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)


@pytest.mark.parametrize("service", list(PERSONAS))
def test_every_operation_keeps_its_openapi_promises(service: str, request: pytest.FixtureRequest,
                                                    token_for: Callable[[str], str]) -> None:
    running: RunningService = request.getfixturevalue(service)
    schema = schemathesis.openapi.from_url(running.url + "/openapi.json", config=CONFIG)
    schema = schema.exclude(path_regex="^/(dev|realms)/")
    tokens = {persona: token_for(persona) for persona in PERSONAS[service]}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, f"{service} documents no operation"
    for operation in operations:
        takes_input = any(len(part) for part in (operation.path_parameters, operation.query, operation.headers,
                                                  operation.cookies, operation.body))
        # Without any input there is nothing invalid to generate.
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if takes_input else (GenerationMode.POSITIVE,):

            @given(case=operation.as_strategy(generation_mode=mode), persona=st.sampled_from(sorted(tokens)))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def exercise(case: schemathesis.Case, persona: str) -> None:
                auth = {"Authorization": f"Bearer {tokens[persona]}"}
                if without_its_token(case, declared_headers=len(case.operation.headers)):
                    auth = {}  # the case is invalid by leaving the token out: adding one would make it valid
                case.call_and_validate(base_url=running.url, headers=auth, timeout=15)

            exercise()
