"""Validate the reference data shipped in data/."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

DATA = Path(__file__).resolve().parent.parent / "data"

HEADER = [
    "region_code",
    "region_name",
    "district_code",
    "district_name",
    "chapter_code",
    "chapter_name",
    "city",
    "state",
    "timezone",
    "live",
]

US_STATES_DC_PR = set(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR".split()
)


def _read_chapters() -> tuple[list[str], list[dict[str, str]]]:
    with (DATA / "chapters.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def chapters() -> list[dict[str, str]]:
    return _read_chapters()[1]


def test_chapters_header() -> None:
    header, _ = _read_chapters()
    assert header == HEADER
    first_line = (DATA / "chapters.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == ",".join(HEADER)


def test_rows_complete(chapters) -> None:
    for row in chapters:
        assert None not in row, f"extra fields in {row}"
        for col in HEADER:
            assert row[col] is not None and row[col].strip() == row[col] and row[col], (col, row)


def test_counts(chapters) -> None:
    assert len({r["region_code"] for r in chapters}) >= 10
    assert len({r["district_code"] for r in chapters}) >= 30
    assert len(chapters) >= 150


def test_codes(chapters) -> None:
    codes = [r["chapter_code"] for r in chapters]
    assert len(codes) == len(set(codes)), "duplicate chapter codes"
    for code in codes:
        assert re.fullmatch(r"[A-Z]{3}[0-9]{2}", code), code
    for r in chapters:
        assert re.fullmatch(r"R[0-9]{2}", r["region_code"]), r
        assert re.fullmatch(r"D[0-9]{2}", r["district_code"]), r


def test_timezones_load(chapters) -> None:
    for tz in {r["timezone"] for r in chapters}:
        ZoneInfo(tz)


def test_states_known_to_holidays(chapters) -> None:
    subdivisions = set(holidays.US.subdivisions)
    for r in chapters:
        state = r["state"]
        assert state in subdivisions, state
        holidays.country_holidays("US", subdiv=state, years=2025)


def test_all_states_dc_and_pr_covered(chapters) -> None:
    assert {r["state"] for r in chapters} == US_STATES_DC_PR


def test_hierarchy(chapters) -> None:
    district_region: dict[str, set[str]] = defaultdict(set)
    district_name: dict[str, set[str]] = defaultdict(set)
    region_name: dict[str, set[str]] = defaultdict(set)
    district_chapters: dict[str, int] = defaultdict(int)
    for r in chapters:
        district_region[r["district_code"]].add(r["region_code"])
        district_name[r["district_code"]].add(r["district_name"])
        region_name[r["region_code"]].add(r["region_name"])
        district_chapters[r["district_code"]] += 1
    for d, regions in district_region.items():
        assert len(regions) == 1, f"district {d} in several regions: {regions}"
    for d, names in district_name.items():
        assert len(names) == 1, f"district {d} has several names: {names}"
    for reg, names in region_name.items():
        assert len(names) == 1, f"region {reg} has several names: {names}"
    # each chapter in exactly one district: codes are unique, so one row = one district
    for d, n in district_chapters.items():
        assert n >= 3, f"district {d} has only {n} chapters"
    assert len({n for names in district_name.values() for n in names}) == len(district_name)
    assert len({n for names in region_name.values() for n in names}) == len(region_name)


def test_live_flag(chapters) -> None:
    values = [r["live"] for r in chapters]
    assert set(values) <= {"true", "false"}
    assert values.count("false") >= 1
    assert values.count("true") > values.count("false")


@pytest.mark.parametrize(
    "code,state,tz",
    [
        ("BOS01", "MA", "America/New_York"),
        ("NYC01", "NY", "America/New_York"),
        ("AUS01", "TX", "America/Chicago"),
        ("HOU01", "TX", "America/Chicago"),
        ("SJU01", "PR", "America/Puerto_Rico"),
        ("ELP01", "TX", "America/Denver"),
        ("PNS01", "FL", "America/Chicago"),
        ("BOI01", "ID", "America/Boise"),
        ("PHX01", "AZ", "America/Phoenix"),
        ("HNL01", "HI", "Pacific/Honolulu"),
    ],
)
def test_reference_chapters(chapters, code, state, tz) -> None:
    by_code = {r["chapter_code"]: r for r in chapters}
    row = by_code[code]
    assert (row["state"], row["timezone"]) == (state, tz)
    if code in {"BOS01", "NYC01", "AUS01", "HOU01"}:
        assert row["live"] == "true"


@pytest.mark.parametrize("name", ["mentoring_areas.txt", "business_types.txt"])
def test_taxonomy_file(name: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    assert text.endswith("\n")
    lines = text.splitlines()
    assert len(lines) >= 20
    for line in lines:
        assert line.strip(), f"blank line in {name}"
        assert line == line.strip(), f"stray whitespace in {name}: {line!r}"
        assert "," not in line, f"comma in {name}: {line!r}"
    assert len(lines) == len(set(lines)), f"duplicates in {name}"
    assert len({x.casefold() for x in lines}) == len(lines), f"case-duplicates in {name}"


def test_readme_describes_files() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in ["chapters.csv", "closures.csv", "mentoring_areas.txt", "business_types.txt"]:
        assert name in readme
    assert "date,chapter,reason" in readme
