"""The whole API under schemathesis: no server error and no answer outside the OpenAPI document.

A bounded run (derandomized: the same cases every run; PLUME_FUZZ_CASES per operation and
user) over every operation, as a coordinator and as a reviewer of the template paper, so that
small ids in paths reach real objects. Checks: no 5xx, every status and content type documented,
every body matching its schema. Then a stateful run follows the document's OpenAPI links (a
created paper to its sections, a section to its revisions and comments, a comment to its replies,
a round to its completion, a version to its exports and positions, an export job to its poll),
a bounded number of derandomized scenarios per user (PLUME_FUZZ_SCENARIOS).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.models import Role
from app.ratelimit import limiter

# 20 cases per operation and user: about 1,900 cases, 2-3 minutes on a shared machine.
CASES_PER_OPERATION = int(os.environ.get("PLUME_FUZZ_CASES", 20))
# Scenarios of up to STEPS linked calls per user.
SCENARIOS = int(os.environ.get("PLUME_FUZZ_SCENARIOS", 25))
STEPS = 20
# Values the generator cannot guess (the reference data, a deadline ahead), set on valid
# requests so that a scenario creates a round and completes it rather than stopping at 422.
REAL = {
    "POST /api/v1/papers": {"template": "ai-and-culture"},
    "POST /api/v1/papers/{paper_id}/rounds": {
        "sectors": ["SHS", "ED"],
        "deadline": "2099-01-31T17:00:00Z",
    },
    "POST /api/v1/rounds/{round_id}/completion": {"sector": "SHS"},
}
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
        limiter.reset()  # the cases that send no or a bad token would soon make all a 429
        try:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as error:  # collect all, report together
            tally["failures"].append(f"{who} {operation.label}: {error!r}"[:900])

    run()


def people_of(paper, token_for) -> dict:
    return {
        "coordinator": token_for(paper.people[Role.COORDINATOR]),
        "reviewer": token_for(paper.people[Role.REVIEWER]),
    }


@pytest.mark.slow
def test_no_server_error_and_no_schema_violation(app, create_paper, token_for, capsys):
    paper = create_paper()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    people = people_of(paper, token_for)
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


def machine_for(app, schema, who: str, headers: dict, tally: dict):
    """The schema's state machine calling as one user and recording, not raising, failures.

    Each scenario starts from the same database: what the one before created is rolled back.
    Otherwise a scenario's calls answer differently each time Hypothesis replays it (a second
    export of a version already exported, a label already taken), and Hypothesis stops the run
    as a flaky strategy."""

    class Machine(schema.as_state_machine()):
        def setup(self):
            self._scenario = app.extensions["plume.bind"].begin_nested()

        def teardown(self):
            self._scenario.rollback()
            super().teardown()

        def step(self, input):
            if input.transition is not None and input.is_applied:  # a link's values were used
                tally["links"] += 1
            output = super().step(input)
            followed = input.transition is not None and input.is_applied
            if followed and output.response.status_code < 300:
                tally["linked"].add(input.case.operation.label)
            return output

        def before_call(self, case):
            limiter.reset()
            if isinstance(case.body, dict):  # values only the database knows, so links go deeper
                case.body.update(REAL.get(case.operation.label, {}))

        def get_call_kwargs(self, case):  # noqa: ARG002
            return {"headers": headers}

        def after_call(self, response, case):  # noqa: ARG002
            tally["cases"] += 1
            tally["operations"].add(case.operation.label)

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # noqa: ARG002
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as error:
                tally["failures"].append(f"{who} {case.operation.label}: {error!r}"[:900])

    return Machine


@pytest.mark.slow
def test_stateful_links_no_server_error_and_no_schema_violation(
    app, create_paper, token_for, capsys
):
    paper = create_paper()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Follow the document's own links only: inferred ones (a thousand guesses from names)
    # would drown them in a bounded run.
    schema.config.phases.stateful.inference.algorithms = []
    # Valid requests, so that objects get created and their links followed; the stateless
    # run above sends the invalid ones.
    schema.config.generation.modes = [GenerationMode.POSITIVE]
    tally = {"operations": set(), "linked": set(), "links": 0, "cases": 0, "failures": []}
    for who, headers in people_of(paper, token_for).items():
        machine_for(app, schema, who, headers, tally).run(
            settings=settings(
                max_examples=SCENARIOS,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                derandomize=True,  # the same scenarios on every run (the seed is fixed)
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
        )
    failures = tally["failures"]
    with capsys.disabled():
        print(
            f"\nschemathesis stateful: {len(tally['operations'])} operations, "
            f"{tally['cases']} cases ({tally['links']} through a link; "
            f"{len(tally['linked'])} operations answered 2xx through one), {len(failures)} failures"
        )
        print("  2xx through a link:", ", ".join(sorted(tally["linked"])))
    assert not failures, "\n\n".join(failures[:40])
