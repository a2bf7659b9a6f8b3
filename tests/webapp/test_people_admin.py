"""People administration on the admin pages: search, add, edit, move, deactivate, and the CSV
import with its preview (created, updated, unchanged, deactivated) applied all-or-nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.support.web import EMAILS, login, table_snapshot
from webapp.models import Person, PersonChange

HEADER = "email,name,role,manager_email,region,territory,department,hire_date"


def _admin(app, org):
    c = app.test_client()
    login(c, EMAILS["admin"])
    return c


def _upload(c, text: str, *, name="people.csv", **fields):
    data = {"file": (io.BytesIO(text.encode()), name), **fields}
    return c.post("/admin/people/import", data=data, content_type="multipart/form-data")


def _apply_form(html: str) -> dict:
    import re

    return {k: v for k, v in re.findall(r'name="(filename|content|deactivate_missing|invite)" type="hidden" value="([^"]*)"', html)}


def test_people_list_searches_by_name_and_filters_by_role(app, org):
    c = _admin(app, org)
    page = c.get("/admin/people?q=rae").get_data(as_text=True)
    assert "r1@example.test" in page and "r2@example.test" not in page
    page = c.get("/admin/people?role=manager").get_data(as_text=True)
    assert "m1@example.test" in page and "r1@example.test" not in page
    page = c.get("/admin/people?region=South").get_data(as_text=True)
    assert "r3@example.test" in page and "r1@example.test" not in page


def test_adding_a_person_is_audited_and_a_malformed_email_changes_nothing(app, org, db):
    c = _admin(app, org)
    before = table_snapshot(db)
    bad = c.post("/admin/people", data={"email": "not-an-address", "name": "X", "role": "rep"})
    assert bad.status_code == 400 and "not a valid email address" in bad.get_data(as_text=True)
    assert table_snapshot(db) == before
    ok = c.post("/admin/people", data={"email": "New.Rep@Example.test", "name": "New Rep", "role": "rep",
                                       "manager_email": EMAILS["m1"], "region": "North", "territory": "North-9"})
    assert ok.status_code == 303, ok.get_data(as_text=True)[-3000:]
    person = db.session.scalar(select(Person).where(Person.email == "new.rep@example.test"))
    assert person.manager_id == org["m1"].id and person.password_hash is None
    assert db.session.scalar(select(PersonChange).where(PersonChange.person_id == person.id)).action == "created"


def test_editing_the_manager_into_a_cycle_is_refused_and_changes_nothing(app, org, db):
    c = _admin(app, org)
    before = table_snapshot(db)
    r = c.post(f"/admin/people/{org['m1'].id}", data={"name": "Max One", "role": "manager",
                                                      "manager_email": EMAILS["r1"]})
    assert r.status_code == 400 and "reporting cycle" in r.get_data(as_text=True)
    assert table_snapshot(db) == before


def test_editing_role_territory_and_department_records_old_and_new(app, org, db):
    c = _admin(app, org)
    r = c.post(f"/admin/people/{org['r1'].id}", data={
        "name": "Rae One", "role": "manager", "manager_email": EMAILS["m1"], "region": "North",
        "territory": "North-3", "department": "Key accounts"})
    assert r.status_code == 303
    change = db.session.scalar(select(PersonChange).where(PersonChange.action == "edited"))
    assert change.detail["role"] == ["rep", "manager"]
    assert change.detail["territory"] == ["North-1", "North-3"]
    assert change.actor_id == org["admin"].id


def test_deactivating_ends_the_persons_sessions_and_reactivating_lets_them_back(app, org):
    rep = app.test_client()
    login(rep, EMAILS["r1"])
    assert rep.get("/").status_code == 200
    c = _admin(app, org)
    assert c.post(f"/admin/people/{org['r1'].id}/deactivate").status_code == 303
    assert rep.get("/").status_code == 302  # the cookie captured before no longer works
    assert login(rep, EMAILS["r1"]).status_code == 401
    c.post(f"/admin/people/{org['r1'].id}/reactivate")
    assert login(rep, EMAILS["r1"]).status_code == 302


def test_moving_a_team_gives_every_direct_report_the_new_manager(app, org, db):
    c = _admin(app, org)
    assert c.post(f"/admin/people/{org['m1'].id}/move-team", data={"to_manager_email": EMAILS["m2"]}).status_code == 303
    db.session.expire_all()
    assert {org["r1"].manager_id, org["r2"].manager_id} == {org["m2"].id}
    assert db.session.query(PersonChange).filter_by(action="moved").count() == 2


def test_moving_a_team_under_one_of_its_members_is_refused(app, org, db):
    c = _admin(app, org)
    before = table_snapshot(db)
    c.post(f"/admin/people/{org['leader'].id}/move-team", data={"to_manager_email": EMAILS["r1"]})
    assert table_snapshot(db) == before


@pytest.mark.both_databases
def test_import_preview_counts_each_kind_of_change_and_writes_nothing(app, org, db):
    c = _admin(app, org)
    text = "\n".join([HEADER,
                      f"{EMAILS['leader']},Lea Leader,leader,,,,Sales,",      # unchanged
                      f"{EMAILS['m1']},Max One,manager,{EMAILS['leader']},,,Sales,",  # unchanged
                      f"{EMAILS['r1']},Rae One,rep,{EMAILS['m1']},North,North-1,Field,",  # updated
                      f"new@example.test,Nia New,rep,{EMAILS['m1']},North,North-1,Sales,",  # created
                      f"{EMAILS['admin']},Ada Admin,admin,,,,Sales,"]) + "\n"
    before = table_snapshot(db)
    page = _upload(c, text, deactivate_missing="y").get_data(as_text=True)
    assert table_snapshot(db) == before
    assert '<td class="created">1</td>' in page and '<td class="updated">1</td>' in page
    assert '<td class="unchanged">3</td>' in page
    # m2, r2, r3, hr are not in the file
    assert '<td class="deactivated">4</td>' in page
    assert "department Sales → Field" in page
    applied = c.post("/admin/people/import/apply", data=_apply_form(page))
    assert applied.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Person).where(Person.email == "new@example.test")) is not None
    assert not org["r2"].active and org["r1"].department == "Field"
    assert db.session.query(PersonChange).filter_by(action="import").one().detail["deactivated"] == 4


@pytest.mark.both_databases
def test_import_errors_name_the_line_and_column_and_nothing_is_written(app, org, db):
    c = _admin(app, org)
    text = "\n".join([HEADER,
                      "ok@example.test,Ok Person,rep,,,,Sales,",
                      "broken,Bad Mail,rep,,,,Sales,",
                      f"{EMAILS['m1']},Max One,manager,{EMAILS['r1']},,,Sales,"]) + "\n"
    before = table_snapshot(db)
    r = _upload(c, text, name="staff.csv")
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "staff.csv, line 3, column email" in page
    assert "reporting cycle" in page
    assert table_snapshot(db) == before


def test_import_with_an_unknown_column_is_refused_on_line_one(app, org, db):
    c = _admin(app, org)
    page = _upload(c, HEADER + ",shoe_size\nx@example.test,X,rep,,,,,,42\n").get_data(as_text=True)
    assert "people.csv, line 1, column shoe_size: unknown column" in page


def test_people_pages_are_for_admins_only(app, org):
    c = app.test_client()
    login(c, EMAILS["m1"])
    assert c.get("/admin/people").status_code == 403
    assert c.get(f"/admin/people/{org['r1'].id}").status_code == 403
    assert c.post("/admin/people/import").status_code == 403


def test_selected_people_are_invited_from_the_list(app, org, db):
    from webapp.models import OutboundMail

    c = _admin(app, org)
    r = c.post("/admin/people/invite", data={"person_id": [str(org["r2"].id), str(org["r3"].id)]})
    assert r.status_code == 303
    assert sorted(db.session.scalars(select(OutboundMail.to_email).where(OutboundMail.kind == "invite"))) == \
        [EMAILS["r2"], EMAILS["r3"]]
