"""The whole API under schemathesis: no server error and no answer outside the OpenAPI document.

A bounded run (derandomized: the same cases every run; PLUME_FUZZ_CASES per operation and
user) over every operation, as a coordinator and as a reviewer of the template paper, so that
small ids in paths reach real objects. Checks: no 5xx, every status and content type documented,
every body matching its schema. Stateful links between operations are not generated yet.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.models import Role

# 20 cases per operation and user: about 1,900 cases, 2-3 minutes on a shared machine.
CASES_PER_OPERATION = int(os.environ.get("PLUME_FUZZ_CASES", 20))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def fuzz(operation, who: str, headers: dict, tally: dict) -> None:
    """Run the operation's bounded cases as one user, recording failures in `tally`."""

    @settings(
        max_examples=CASES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run (the seed is fixed)
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        tally["cases"] += 1
        try:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as error:  # collect all, report together
            tally["failures"].append(f"{who} {operation.label}: {error!r}"[:900])

    run()


@pytest.mark.slow
def test_no_server_error_and_no_schema_violation(app, create_paper, token_for, capsys):
    paper = create_paper()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    people = {
        "coordinator": token_for(paper.people[Role.COORDINATOR]),
        "reviewer": token_for(paper.people[Role.REVIEWER]),
    }
    tally = {"operations": 0, "cases": 0, "failures": []}
    for result in schema.get_all_operations():
        operation = result.ok()
        tally["operations"] += 1
        for who, headers in people.items():
            fuzz(operation, who, headers, tally)
    failures = tally["failures"]
    with capsys.disabled():
        print(
            f"\nschemathesis: {tally['operations']} operations, {tally['cases']} cases, "
            f"{len(failures)} failures"
        )
    assert not failures, "\n\n".join(failures[:40])
