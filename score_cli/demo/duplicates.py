"""Planted duplicates and look-alikes: the ground truth the duplicate finder is measured by.

A duplicate is a person who wrote before writing again as a new client record, with a new
e-mail address and one more difference: a typo in the name, the phone typed another way, the
business renamed, or nothing else; a fifth of them write to another chapter. A look-alike is
a different person who shares one thing with someone who wrote recently: the same common
question, the same common name (elsewhere, with another business), or the same office phone
(with another name and business). Every planted pair goes into a `Truth`.
"""

from __future__ import annotations

from random import Random

from score_cli.demo.clients import ClientInfo
from score_cli.demo.truth import Truth

DUPLICATE_KINDS = ("another_email", "name_typo", "phone_retyped", "business_renamed")
LOOK_ALIKE_KINDS = ("common_question", "common_name", "office_phone")
OTHER_CHAPTER = 0.2  # share of duplicates sent to another chapter


def typo(rng: Random, word: str) -> str:
    """One slip of the keyboard inside a word: a letter dropped, doubled or two swapped."""
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def retyped(rng: Random, phone: str | None) -> str | None:
    """The same number typed another way."""
    if not phone:
        return phone
    digits = "".join(ch for ch in phone if ch.isdigit())[-10:]
    area, middle, last = digits[:3], digits[3:6], digits[6:]
    forms = [f"({area}) {middle}-{last}", f"{area}-{middle}-{last}", f"{area}.{middle}.{last}",
             f"+1 {area} {middle} {last}", f"1{area}{middle}{last}"]
    return rng.choice([f for f in forms if f != phone])


class Planter:
    def __init__(self, rng: Random, truth: Truth):
        self.rng, self.truth = rng, truth

    def duplicate(self, like: ClientInfo, clients) -> tuple[str, tuple]:
        """(kind, (first, last, name, phone, business, zip)) of a person writing again."""
        rng = self.rng
        first, last, phone, business, zip_code = like.first, like.last, like.phone, like.business, like.zip
        kind = rng.choice(DUPLICATE_KINDS)
        if kind == "name_typo":
            if rng.random() < 0.5:
                first = typo(rng, first)
            else:
                last = typo(rng, last)
        elif kind == "phone_retyped":
            phone = retyped(rng, phone)
        elif kind == "business_renamed":
            business = clients.business(first, last)
        name = f"{first} {last}" if kind == "name_typo" else like.name
        # Typed again on the website: sometimes in lower case, sometimes with spaces.
        name = rng.choice((name, name.lower(), f" {name}", name))
        return kind, (first, last, name, phone, business, zip_code)

    def look_alike(self, other: ClientInfo, fresh: tuple) -> tuple[str, tuple]:
        """(kind, fields) of someone else who shares one thing with `other`; `fresh` are the
        fields of a new person, changed here where they must differ from `other`'s."""
        rng = self.rng
        first, last, name, phone, business, zip_code = fresh
        kind = rng.choice(LOOK_ALIKE_KINDS)
        if kind == "common_name":
            first, last, name = other.first, other.last, other.name
            if zip_code and other.zip and zip_code[:5] == other.zip[:5]:
                zip_code = zip_code[:3] + f"{(int(zip_code[3:5]) + 1) % 100:02d}"
            if business and other.business and business.split()[0] == other.business.split()[0]:
                business = None
            if phone and other.phone and phone[-4:] == other.phone[-4:]:
                phone = None
        elif kind == "office_phone" and other.phone:
            phone, zip_code = retyped(rng, other.phone), other.zip
            if last == other.last:
                last = "Okonkwo" if other.last != "Okonkwo" else "Lindqvist"
                name = f"{first} {last}"
            if business and other.business and business.split()[0] == other.business.split()[0]:
                business = None
        elif kind == "office_phone":
            kind = "common_question"
        return kind, (first, last, name, phone, business, zip_code)
