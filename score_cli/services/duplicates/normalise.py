"""What clients type, made comparable: phones in E.164, names and businesses without noise,
e-mails without dots or plus-tags, questions as content words."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "jr", "sr", "ii", "iii", "iv",
                         "phd", "md", "esq"})
_BUSINESS_NOISE = frozenset({"llc", "inc", "co", "corp", "corporation", "ltd", "company", "the", "and",
                             "pllc", "llp", "lp", "incorporated", "limited"})
_STOP = frozenset("""a an and are as at be but by can could do does don for from had has have how i i'm
    id im in is it its me my no not of on or our so that the their them there they this to too us was
    we what when where which who why will with would you your""".split())
_WORD = re.compile(r"[^\W_]+")
_MARKS = re.compile(r"[\u0300-\u036f]+")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().-]+$")


def fold(text: str | None) -> str:
    """Lower case without accents; apostrophes dropped so that O'Brien is obrien."""
    text = text or ""
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text)).replace("\u2019", "")
    return text.lower().replace("'", "").replace("&", " and ")


@lru_cache(maxsize=100_000)
def name_key(name: str | None) -> str:
    """`Dr. José Q. García-Lopez` -> `garcia jose lopez`: sorted words, no initials or titles."""
    words = [w for w in _WORD.findall(fold(name)) if len(w) > 1 and w not in _HONORIFICS]
    return " ".join(sorted(words))


@lru_cache(maxsize=100_000)
def business_key(business: str | None) -> str:
    return " ".join(w for w in _WORD.findall(fold(business)) if w not in _BUSINESS_NOISE)


@lru_cache(maxsize=200_000)
def phone_key(phone: str | None) -> str | None:
    """E.164 (`+16175550100`), reading a number without a country code as a US one.

    Plain US numbers (10 digits, or 11 with the leading 1, in any of the usual
    punctuations) are converted directly, which is what `phonenumbers` gives for them at a
    hundredth of the cost; anything else (other countries, letters, extensions) goes
    through `phonenumbers`. Returns None when the text is not a possible number.
    """
    text = (phone or "").strip()
    if not text:
        return None
    if _PHONE_CHARS.match(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) == 10 and not text.startswith("+"):
            return "+1" + digits
        if len(digits) == 11 and digits[0] == "1":
            return "+" + digits
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email_key(email: str) -> str:
    """`Jo.Smith+score@Gmail.com` -> `josmith@gmail.com`."""
    local_part, _, domain = email.lower().rpartition("@")
    local_part = local_part.partition("+")[0].replace(".", "")
    return f"{local_part}@{'gmail.com' if domain == 'googlemail.com' else domain}"


@lru_cache(maxsize=50_000)
def question_words(question: str | None) -> list[str]:
    return [w for w in _WORD.findall(fold(question)) if len(w) > 1 and w not in _STOP]


def zip5(zip_code: str | None) -> str | None:
    text = (zip_code or "").strip()
    return text[:5] if len(text) >= 5 and text[:5].isdigit() else None
