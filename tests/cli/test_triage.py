"""`score triage`: the queue on screen, driven headless by Textual's own pilot.

Each key goes through the service its command uses, so the store is checked afterwards with
`show`, and a refusal must leave the request as it was."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Input, Static

from score_cli.cli.triage_app import Triage
from score_cli.services.organisation.scope import choose
from score_cli.services.requests.show import show
from tests.helpers import score
from tests.world import CIC, MENTOR, MENTOR2


def drive(app: Triage, *steps) -> None:
    """Run `app` headless at 140x45; each step is keys to press or a callable checking it."""
    async def run():
        async with app.run_test(size=(140, 45)) as pilot:
            await pilot.pause()
            for step in steps:
                if callable(step):
                    step(app)
                else:
                    await pilot.press(*step)
                    await pilot.pause()

    asyncio.run(run())


def queue_ids(app: Triage) -> list[str]:
    return [str(key.value) for key in app.query_one("#queue", DataTable).rows]


def shown(app: Triage, widget: str) -> str:
    return str(app.query_one(widget, Static).render())


def replace_input(text: str) -> tuple[str, ...]:
    return ("ctrl+u", *text)  # clear the field (as a person would), then type


def test_a_cic_sees_their_queue_and_assigns_from_the_suggestions(world):
    ours = world.submit(name="Olive Orchard")
    theirs = world.submit(chapter="AUS01", email="texan@example.com", name="Tex Faraway")
    app = Triage(world.store, CIC, None)

    def the_queue_is_boston_only(app):
        assert queue_ids(app) == [f"MRE-{ours}"]
        assert f"MRE-{theirs}" not in queue_ids(app)
        assert "Olive Orchard" in shown(app, "#detail")

    def mentors_are_suggested(app):
        assert MENTOR2 in shown(app, "#detail")

    def told(app):
        assert f"MRE-{ours} assigned to {MENTOR2}" in shown(app, "#status")

    first_choice = score("assign", f"MRE-{ours}", "--suggest", "--format", "json", db=world.url, actor=CIC).json()

    def offered_the_first_suggestion(app):
        assert app.screen.query_one("#ask-mentor", Input).value == first_choice[0]["email"]

    drive(app, the_queue_is_boston_only, ("s",), mentors_are_suggested, ("a",), offered_the_first_suggestion,
          replace_input(MENTOR2), ("enter", "enter"), told)
    after = show(world.store, CIC, ours)
    assert after["status"] == "assigned" and after["owner"] == MENTOR2


def test_notes_withdrawals_and_refusals_go_through_the_rules(world):
    first = world.submit(name="Nora Notes")
    app = Triage(world.store, CIC, choose(chapter="BOS01"))

    def transfer_refused(app):
        assert "ZZZ99" in shown(app, "#status")

    def gone_from_the_queue(app):
        assert f"MRE-{first}" not in queue_ids(app)

    drive(app, ("n", *"called, left a message", "enter"),
          ("t", *"ZZZ99", "enter", *"moving", "enter"), transfer_refused)
    after = show(world.store, CIC, first)
    assert [n["text"] for n in after["notes"]] == ["called, left a message"]
    assert after["chapter"] == "BOS01" and after["status"] == "new"  # the refused transfer changed nothing

    app = Triage(world.store, CIC, choose(chapter="BOS01"))
    drive(app, ("w", *"a duplicate", "enter"), gone_from_the_queue)
    assert show(world.store, CIC, first)["status"] == "withdrawn"


def test_a_mentor_sees_only_their_own_and_may_not_coordinate(world):
    own = world.assigned(mentor=MENTOR2, name="Molly Mine")
    world.submit(name="Somebody Else")
    app = Triage(world.store, MENTOR2, choose(mine=True))

    def only_their_own(app):
        assert queue_ids(app) == [f"MRE-{own}"]

    def refused(app):
        assert "may not" in shown(app, "#status")

    drive(app, only_their_own, ("a",), replace_input(MENTOR), ("enter", "enter"), refused)
    assert show(world.store, CIC, own)["owner"] == MENTOR2


def test_an_empty_field_is_asked_for_again_and_escape_cancels(world):
    number = world.submit()
    app = Triage(world.store, CIC, None)

    def still_asking(app):
        assert "the note is needed" in str(app.screen.query_one("#problem").render())
        assert isinstance(app.focused, Input)

    drive(app, ("n", "enter"), still_asking, ("escape",))
    assert show(world.store, CIC, number)["notes"] == []


def test_the_command_checks_the_reading_rule_then_wants_a_terminal(world):
    refused = score("triage", "--chapter", "AUS01", db=world.url, actor=CIC)
    assert refused.exit_code == 1 and "may not see" in refused.stderr
    scripted = score("triage", db=world.url, actor=CIC)
    assert scripted.exit_code == 2 and "needs a terminal" in scripted.stderr
    nobody = score("triage", db=world.url)
    assert nobody.exit_code == 2 and "who is acting" in nobody.stderr
