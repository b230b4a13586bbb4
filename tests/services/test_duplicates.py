"""Finding duplicate requests: a hand-made set of true duplicates and near misses."""

from datetime import datetime, timedelta, timezone

import phonenumbers
import pytest

from score_cli.services import duplicates
from score_cli.services.requests import assignment
from score_cli.services.duplicates import (Candidate, candidate_pairs, email_key, name_key, phone_key,
                                           score_pair)
from score_cli.domain.errors import Invalid
from score_cli.services.organisation.scope import Scope
from tests.world import ADMIN, CIC, MENTOR

DAY0 = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)
LONG_QUESTION = ("We run a mobile dog grooming van in Somerville and want to add a second van next spring;"
                 " how should we finance it and price the new routes?")


def at(days: float) -> datetime:
    return DAY0 + timedelta(days=days)


# --- normalising ------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["(617) 555-0101", "617-555-0101", "617.555.0101", "6175550101",
                                   "+1 617 555 0101", "1 (617) 555-0101", "+1-617-555-0101"])
def test_us_phones_as_typed_on_the_website_are_one_number(typed):
    assert phone_key(typed) == "+16175550101"
    parsed = phonenumbers.parse(typed, "US")  # the shortcut agrees with phonenumbers
    assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == "+16175550101"


def test_other_phones_go_through_phonenumbers():
    assert phone_key("+44 20 7946 0958") == "+442079460958"
    assert phone_key("617-555-0101 ext. 12") == "+16175550101"
    assert phone_key("1-800-FLOWERS") == "+18003569377"
    assert phone_key("12") is None and phone_key("") is None and phone_key(None) is None


def test_emails_that_differ_only_by_dots_plus_tags_or_case_are_one_address():
    assert email_key("Jo.Smith+score@Gmail.com") == email_key("josmith@gmail.com") == "josmith@gmail.com"
    assert email_key("jo.smith@googlemail.com") == "josmith@gmail.com"
    assert email_key("jo.smith@example.com") != email_key("jo.smith@example.net")


def test_names_lose_case_accents_punctuation_titles_and_middle_initials():
    assert name_key("Dr. José Q. García-Lopez") == name_key("jose garcia lopez") == "garcia jose lopez"
    assert name_key("Smith, John A.") == name_key("JOHN SMITH")
    assert name_key("Siobhan O'Brien") == "obrien siobhan"
    assert name_key("J. Q.") == ""


# --- scoring ----------------------------------------------------------------------------


def person(number, name, *, email=None, phone=None, business=None, zip_code=None, question="Help with marketing",
           client=None, days=0.0, status="new") -> Candidate:
    row = (number, client or number, "BOS01", status, at(days), question, name, phone, business, zip_code)
    return duplicates.candidate(row, {client or number: {email or f"c{number}@example.com"}})


def scored(a, b):
    candidate_pairs([a, b], timedelta(days=90))  # marks which questions are rare
    return score_pair(a, b)


def test_the_same_phone_and_name_is_a_duplicate():
    score, reasons = scored(person(1, "Maria Garcia", phone="(617) 555-0101"),
                            person(2, "maria  garcía", phone="617.555.0101", days=2))
    assert score >= 0.9
    assert reasons[:2] == ["same phone +16175550101", "same name (Maria Garcia / maria  garcía)"]
    assert reasons[-1] == "submitted 2 days apart"


def test_a_common_name_alone_is_not_enough():
    score, reasons = scored(person(1, "John Smith", zip_code="02139", business="Smith Plumbing"),
                            person(2, "John Smith", zip_code="02446", business="Harbor Cafe", days=3))
    assert score < duplicates.DEFAULT_MIN_SCORE
    assert reasons[0] == "same name (John Smith)"


def test_a_name_with_the_same_business_or_zip_is_enough():
    with_business, _ = scored(person(1, "Anne B. Okafor", business="Okafor Catering LLC"),
                              person(2, "Anne Okafor", business="okafor catering", days=1))
    with_zip, reasons = scored(person(1, "Dr. Anne Okafor", zip_code="02118"),
                               person(2, "anne okafor", zip_code="02118-1234", days=1))
    assert with_business >= 0.8 and with_zip >= 0.7
    assert "same ZIP 02118" in reasons


def test_a_typo_in_the_name_still_matches_with_the_same_zip_but_scores_less():
    typo, reasons = scored(person(1, "Jon Smith", zip_code="02139"), person(2, "John Smith", zip_code="02139"))
    exact, _ = scored(person(1, "John Smith", zip_code="02139"), person(2, "John Smith", zip_code="02139"))
    assert duplicates.DEFAULT_MIN_SCORE <= typo < exact
    assert reasons[0] == "similar names (Jon Smith / John Smith: 95%)"


def test_a_shared_office_phone_with_other_names_and_businesses_is_not_enough():
    score, reasons = scored(
        person(1, "Alice Wong", phone="617-555-0199", business="Wong Accounting", zip_code="02110"),
        person(2, "Bob Jones", phone="(617) 555-0199", business="Jones Design", zip_code="02110", days=1))
    assert score < duplicates.DEFAULT_MIN_SCORE
    assert reasons[:2] == ["same phone +16175550199", "same ZIP 02110"]


def test_emails_equal_but_for_dots_and_plus_tags_are_the_same_client():
    score, reasons = scored(person(1, "Tom Lee", email="t.o.m.lee+score@gmail.com"),
                            person(2, "Thomas Lee", email="tomlee@gmail.com", days=5))
    assert score >= 0.9
    assert reasons[0] == "e-mails equal but for dots, plus-tag or case (tomlee@gmail.com)"


def test_a_question_alone_however_similar_never_makes_a_duplicate():
    rare, reasons = scored(person(1, "Dee Walker", question=LONG_QUESTION),
                           person(2, "Bo Quist", question=LONG_QUESTION.replace("Somerville", "Somerville, MA")))
    assert rare < duplicates.DEFAULT_MIN_SCORE
    assert reasons[0] == "hint: very similar, uncommon question (91%)"  # 16 words of weight ln 2, "ma" ln 3
    # the example: two different clients whose questions differ by one word
    pets = person(3, "Ana Ruiz", question="I want to grow my pet services business in the north shore area"
                                          " with a second location")
    pros = person(4, "Ben Ode", question="I want to grow my professional services business in the north shore"
                                         " area with a second location", days=1)
    score, reasons = scored(pets, pros)
    assert score < duplicates.DEFAULT_MIN_SCORE


def test_a_rare_question_raises_the_score_of_a_pair_with_an_identity_signal():
    alone, _ = scored(person(1, "Dee Walker", zip_code="02143", question="Help with marketing"),
                      person(2, "Dee Walker", zip_code="02143", question="Help with hiring"))
    hinted, reasons = scored(person(1, "Dee Walker", zip_code="02143", question=LONG_QUESTION),
                             person(2, "Dee Walker", zip_code="02143", question=LONG_QUESTION))
    assert duplicates.DEFAULT_MIN_SCORE <= alone < hinted
    assert reasons[:3] == ["same name (Dee Walker)", "same ZIP 02143", "hint: very similar, uncommon question (100%)"]


def test_a_question_many_clients_ask_weighs_nothing():
    common = "How do I write a business plan that a bank will take seriously and lend to us?"
    names = ["Ann Bell", "Cy Dorn", "Eve Fox", "Gus Hale", "Ida Jung", "Kai Lowe", "Max Nash", "Oda Pratt"]
    crowd = [person(10 + i, name, question=common, days=i / 10, zip_code="02139") for i, name in enumerate(names)]
    crowd.append(person(30, "Ann Bell", question=common, days=2, zip_code="02139"))
    candidate_pairs(crowd, timedelta(days=90))
    assert crowd[0].question == {}
    score, reasons = score_pair(crowd[0], crowd[1])
    assert score == 0 and not any("question" in r for r in reasons)
    same_person, reasons = score_pair(crowd[0], crowd[-1])  # name + ZIP: the question adds nothing
    assert same_person == 0.75 and not any("question" in r for r in reasons)


def test_a_name_and_zip_contradicted_by_phone_and_business_is_not_enough():
    score, reasons = scored(person(1, "Maria Lopez", zip_code="33101", phone="305-555-0101", business="Lopez Cafe"),
                            person(2, "Maria Lopez", zip_code="33101", phone="305-555-0199", business="Sun Nails",
                                   days=3))
    assert score < duplicates.DEFAULT_MIN_SCORE
    assert "different business, phone" in reasons


def test_blocking_keeps_the_candidate_pairs_far_below_n_squared():
    letters = "abcdefghijklmnopqrstuvwxyz"
    crowd = [person(i, f"{letters[i % 26]}ay{i} {letters[i // 26 % 26]}ee{i % 97}", phone=f"617-555-{i:04d}",
                    zip_code=f"02{i % 50:03d}",
                    business=f"Shop {i}", question=f"Question number {i} about growing shop {i}", days=i / 100)
             for i in range(3000)]
    crowd.append(person(9999, "Hay7 Aee7", phone="617-555-0007", days=30))  # one true duplicate
    pairs = candidate_pairs(crowd, timedelta(days=90))
    assert (7, 3000) in pairs
    assert len(pairs) < len(crowd)  # of 4.5 million possible


# --- finding groups in a store -----------------------------------------------------------


def submit(world, name, email, days, **fields):
    return world.submit(name=name, email=email, submitted_at=at(days), **fields)


def groups(found):
    """{group number: [(id, action, keeper)]}"""
    result = {}
    for row in found.rows:
        result.setdefault(row["group"], []).append((row["id"], row["action"], row["keeper"]))
    return result


def test_the_hand_made_set_finds_the_true_duplicates_and_leaves_the_near_misses(world):
    m1 = submit(world, "Maria García", "maria@bakery.com", 0, phone="(617) 555-0101", business="Garcia Bakery LLC")
    m2 = submit(world, "maria garcia", "mgarcia@work.com", 2, phone="617.555.0101")
    t1 = submit(world, "Tom Lee", "t.o.m.lee+score@gmail.com", 1)
    t2 = submit(world, "Thomas Lee", "tomlee@gmail.com", 4)
    a1 = submit(world, "Dr. Anne B. Okafor", "anne@okafor.com", 3, zip="02118")
    a2 = submit(world, "Anne Okafor", "aokafor@mail.com", 5, zip="02118")
    # near misses: a common name in two ZIPs; an office phone shared by two businesses
    submit(world, "John Smith", "js1@plumb.com", 1, zip="02139", business="Smith Plumbing")
    submit(world, "John Smith", "js2@cafe.com", 2, zip="02446", business="Harbor Cafe")
    submit(world, "Alice Wong", "alice@wong.com", 1, phone="617-555-0199", business="Wong Accounting", zip="02110")
    submit(world, "Bob Jones", "bob@jones.com", 1.5, phone="(617) 555-0199", business="Jones Design", zip="02110")
    found = duplicates.find(world.store, CIC, None)
    assert groups(found) == {
        1: [(f"MRE-{m1}", "keep", f"MRE-{m1}"), (f"MRE-{m2}", "withdraw", f"MRE-{m1}")],
        2: [(f"MRE-{t1}", "keep", f"MRE-{t1}"), (f"MRE-{t2}", "withdraw", f"MRE-{t1}")],
        3: [(f"MRE-{a1}", "keep", f"MRE-{a1}"), (f"MRE-{a2}", "withdraw", f"MRE-{a1}")],
    }
    assert (found.groups, found.withdraw, found.requests) == (3, 3, 10)
    first = found.rows[1]
    assert first["client"] == "maria garcia" and first["chapter"] == "BOS01" and first["status"] == "new"
    assert first["reasons"] == ["same phone +16175550101", "same name (Maria García / maria garcia)",
                                "submitted 2 days apart"]
    assert first["submitted_at"].isoformat() == "2026-03-04T10:00:00-05:00"


def test_groups_are_closed_transitively_and_keep_the_request_furthest_along(world):
    a = submit(world, "Rosa Diaz", "rosa@one.com", 0, phone="617-555-0300")
    b = submit(world, "Rosa Diaz", "rosa.d@two.com", 10, phone="(617) 555-0300")  # a ~ b by phone and name
    c = submit(world, "R. Diaz", "r.o.s.a.d+x@two.com", 20)  # b ~ c by e-mail only
    assignment.assign(world.store, CIC, b, MENTOR)
    found = duplicates.find(world.store, CIC, None)
    assert groups(found) == {1: [(f"MRE-{b}", "keep", f"MRE-{b}"), (f"MRE-{a}", "withdraw", f"MRE-{b}"),
                                 (f"MRE-{c}", "withdraw", f"MRE-{b}")]}
    assert found.rows[0]["reasons"] == ["kept: assigned, the furthest along"]


def test_a_closed_request_is_kept_only_when_all_are_closed(world):
    a = submit(world, "Ken Ito", "ken@one.com", 0, phone="617-555-0400")
    b = submit(world, "Ken Ito", "ken@two.com", 1, phone="617-555-0400")
    assignment.withdraw(world.store, CIC, a, reason="client asked")
    found = duplicates.find(world.store, CIC, None)
    assert found.rows == []  # b is kept, a is closed already: nothing to withdraw
    found = duplicates.find(world.store, CIC, None, include_all=True)
    assert groups(found) == {1: [(f"MRE-{b}", "keep", f"MRE-{b}"), (f"MRE-{a}", "none", f"MRE-{b}")]}
    assert found.rows[1]["reasons"][0] == "already withdrawn"
    assignment.withdraw(world.store, CIC, b, reason="client found help")
    found = duplicates.find(world.store, CIC, None, include_all=True)
    assert groups(found) == {1: [(f"MRE-{a}", "keep", f"MRE-{a}"), (f"MRE-{b}", "none", f"MRE-{a}")]}
    assert found.rows[0]["reasons"] == ["kept: all are closed; the oldest"]


def test_the_window_the_minimum_score_and_the_scope(world):
    a = submit(world, "Lena Park", "lena.park@gmail.com", 0)
    b = submit(world, "Lena Park", "lenapark+2@gmail.com", 120)
    assert duplicates.find(world.store, CIC, None).rows == []
    found = duplicates.find(world.store, CIC, None, window_days=150)
    assert [r["id"] for r in found.rows] == [f"MRE-{a}", f"MRE-{b}"]
    assert duplicates.find(world.store, CIC, None, window_days=150, min_score=0.99).rows == []
    with pytest.raises(Invalid, match="--min-score"):
        duplicates.find(world.store, CIC, None, min_score=1.5)
    assert duplicates.find(world.store, ADMIN, Scope("chapter", "AUS01"), window_days=150).groups == 0
    assert duplicates.find(world.store, ADMIN, Scope("chapter", "BOS01"), window_days=150).groups == 1
    assert duplicates.find(world.store, ADMIN, None, window_days=150).groups == 1  # the admin's scope: national


def test_the_scope_only_chooses_which_groups_are_shown(world):
    """A client who wrote to Boston and to Austin: one group, one keeper, whatever the scope."""
    a = submit(world, "Lena Park", "lena@one.com", 0, phone="617-555-0500", chapter="AUS01")
    b = submit(world, "Lena Park", "lena@two.com", 3, phone="(617) 555-0500")
    assignment.assign(world.store, CIC, b, MENTOR)
    expected = {1: [(f"MRE-{b}", "keep", f"MRE-{b}"), (f"MRE-{a}", "withdraw", f"MRE-{b}")]}
    for scope in (Scope("chapter", "AUS01"), Scope("chapter", "BOS01"), Scope("national"), None):
        assert groups(duplicates.find(world.store, ADMIN, scope)) == expected, scope
    assert duplicates.find(world.store, ADMIN, Scope("chapter", "NYC01")).rows == []
    shown = duplicates.find(world.store, CIC, None).rows  # Boston's coordinator sees the group
    assert [(r["id"], r["client"]) for r in shown] == [(f"MRE-{b}", "Lena Park"), (f"MRE-{a}", "(outside your scope)")]


def test_each_row_shows_both_clients_the_signals_and_the_score(world):
    a = submit(world, "Maria García", "maria@bakery.com", 0, phone="(617) 555-0101")
    b = submit(world, "maria garcia", "mgarcia@work.com", 2, phone="617.555.0101")
    keep, withdraw = duplicates.find(world.store, ADMIN, None).rows
    assert (keep["id"], keep["action"], keep["signals"], keep["score"]) == (f"MRE-{a}", "keep", [], None)
    assert (withdraw["id"], withdraw["keeper"], withdraw["signals"], withdraw["score"]) == \
        (f"MRE-{b}", f"MRE-{a}", ["phone", "name"], 0.9)
    assert (withdraw["client"], withdraw["client_emails"]) == ("maria garcia", ["mgarcia@work.com"])
    assert (withdraw["keeper_client"], withdraw["keeper_emails"]) == ("Maria García", ["maria@bakery.com"])


def test_a_request_linked_to_the_keeper_only_through_another_is_left_for_review(world):
    a = submit(world, "Rosa Diaz", "rosa@one.com", 0, phone="617-555-0300", zip="02118")
    b = submit(world, "Rosa Diaz", "rosa.d@two.com", 10, zip="02118")  # a ~ b: name and ZIP
    c = submit(world, "Rosa D. Diaz-Vega", "r.o.s.a.d+x@two.com", 20)  # b ~ c: e-mail only
    rows = duplicates.find(world.store, ADMIN, None).rows
    assert [(r["id"], r["action"]) for r in rows] == [(f"MRE-{a}", "keep"), (f"MRE-{b}", "withdraw"),
                                                     (f"MRE-{c}", "review")]
    assert rows[2]["reasons"][0] == f"linked to the keeper only through MRE-{b}: check by hand"
