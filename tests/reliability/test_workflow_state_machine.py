"""A model-based random walk through the workflow (hypothesis stateful testing).

The model (workflow_model.py) predicts from the transition table and the guards whether each
action is legal; the rules (workflow_rules.py) run the actions through the real services and
fail when a legal action is refused or an illegal one succeeds, when a request's status
differs from the model's, when a status change in the history is not an edge of the table, or
when an invariant of `score db check` breaks. Journeys (workflow_journey.py) take requests
through whole cases. After the run a tour takes one request through each detour and each
ending; then the test asserts that every status and every action was reached.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from score_cli.domain.vocabulary import Status
from tests.reliability.workflow_model import EXPECTED_ACTIONS, REFEREES, Clone
from tests.reliability.workflow_journey import tour
from tests.reliability.workflow_rules import Workflow

EXAMPLES = 15
STEPS = 50


def test_the_workflow_follows_its_model_and_keeps_its_invariants(world):
    from score_cli.services.people import volunteers
    from tests.world import ADMIN

    for email in REFEREES:
        volunteers.add(world.store, ADMIN, volunteers.NewVolunteer(email=email, name=email.split("@")[0],
                                                                   chapter="BOS01", classification="certified"))
    world.store.close()
    admin = None
    if world.url.startswith("postgresql"):
        from sqlalchemy import create_engine

        admin = create_engine(world.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    Workflow.clone = Clone(world.url, admin)
    Workflow.run.clear()
    try:
        run_state_machine_as_test(Workflow, settings=settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
        machine = Workflow()
        try:
            tour(machine)
        finally:
            machine.teardown()
    finally:
        if admin is not None:
            admin.dispose()
    # Once, over the run and the tour: no rule reads this record, so a failing example replays alike.
    assert Workflow.run.statuses == set(Status), set(Status) - Workflow.run.statuses
    assert Workflow.run.actions >= EXPECTED_ACTIONS, EXPECTED_ACTIONS - Workflow.run.actions
