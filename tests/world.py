"""A small organisation for workflow tests, built through the real services.

Boston (BOS01, MA) and Worcester-like neighbours share district D01's region; Austin (AUS01,
TX) is elsewhere. People:
  admin@example.org         admin (national)
  cic@example.org           CIC of BOS01
  cic.aus@example.org       CIC of AUS01
  rcic@example.org          RCIC of BOS01's district
  mentor@example.org        certified mentor in BOS01 ("3 per week"), accepts direct requests
  mentor2@example.org       certified mentor in BOS01
  prov@example.org          provisional mentor in BOS01
  sme@example.org           SME in BOS01
  far@example.org           certified mentor in AUS01, serves outside the local area
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from score_cli.services.requests import assignment, intake
from score_cli.services.people import volunteers
from score_cli.services.organisation.permissions import Grant
from score_cli.store.db import Store
from score_cli.store.models import Chapter, District, Volunteer

ADMIN = "admin@example.org"
CIC = "cic@example.org"
CIC_AUS = "cic.aus@example.org"
RCIC = "rcic@example.org"
MENTOR = "mentor@example.org"
MENTOR2 = "mentor2@example.org"
PROVISIONAL = "prov@example.org"
SME = "sme@example.org"
FAR = "far@example.org"


@dataclass
class World:
    store: Store
    url: str

    def submit(self, chapter: str = "BOS01", email: str = "client@example.com", **fields) -> int:
        new = intake.NewRequest(name=fields.pop("name", "Cleo Client"), emails=[email], chapter=chapter,
                                question=fields.pop("question", "How do I price my catering?"), **fields)
        with self.store.transaction() as session:
            return intake.submit(session, new.checked())

    def assigned(self, mentor: str = MENTOR, chapter: str = "BOS01", by: str = CIC, **fields) -> int:
        request_id = self.submit(chapter=chapter, **fields)
        assignment.assign(self.store, by, request_id, mentor)
        return request_id

    def volunteer(self, email: str) -> Volunteer:
        with self.store.reading() as session:
            return session.execute(select(Volunteer).where(Volunteer.email == email)).scalar_one()

    def district_of(self, chapter: str) -> str:
        with self.store.reading() as session:
            return session.get(Chapter, chapter).district_code


def build(store: Store, url: str) -> World:
    volunteers.ensure_admin(store, ADMIN, name="Ada Admin")
    with store.reading() as session:
        district = session.get(Chapter, "BOS01").district_code
        session.get(District, district)

    def add(email, name, chapter, classification=None, roles=(), **settings):
        new = volunteers.NewVolunteer(email=email, name=name, chapter=chapter, classification=classification,
                                      roles=list(roles), **settings)
        volunteers.add(store, ADMIN, new)

    add(CIC, "Cy Intake", "BOS01", roles=[Grant("cic", "chapter", "BOS01")])
    add(CIC_AUS, "Ava Intake", "AUS01", roles=[Grant("cic", "chapter", "AUS01")])
    add(RCIC, "Rae Regional", "BOS01", roles=[Grant("rcic", "district", district)])
    add(MENTOR, "Mo Mentor", "BOS01", "certified", accept_direct_requests=True, max_direct_weekly=2,
        capacity="3 per week", expertise=["Marketing & Sales"])
    add(MENTOR2, "Mia Second", "BOS01", "certified", capacity="5/week")
    add(PROVISIONAL, "Pat Provisional", "BOS01", "provisional")
    add(SME, "Sam Expert", "BOS01", "sme")
    add(FAR, "Fay Faraway", "AUS01", "certified", serve_outside_local_area=True)
    return World(store, url)
