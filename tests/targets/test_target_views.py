"""The target pages: grid edit in one form, revisions shown, copy year, municipality/derive, rules, access."""

from __future__ import annotations

import html
import io
import re
from datetime import date

from sqlmodel import select

from quota_app.models import (
    AuditEntry,
    CountingRule,
    DepartmentHeadcount,
    MunicipalityTarget,
    Target,
    TargetRevision,
)
from quota_app.targets import services
from tests.conftest import csrf_from


def _grid_data(client, year):
    html = client.get(f"/targets/{year}").get_data(as_text=True)
    return {"csrf_token": csrf_from(html)}, html


def test_grid_saves_several_cells_in_one_form_and_keeps_revisions(
    client, login, make_user, reference, session
):
    login(make_user("bif"))
    d, t = reference["departments"], reference["types"]
    data, html = _grid_data(client, 2026)
    assert "SOF" in html and "Virksomhedspraktik" in html
    sof_key, buf_key = f"{d['SOF'].id}_{t['internship'].id}", f"{d['BUF'].id}_{t['flex_job'].id}"
    data.update(
        {
            f"value_{sof_key}": "12",
            f"decided_{sof_key}": "2025-12-10",
            f"reference_{sof_key}": "BR 10.12.2025",
            f"value_{buf_key}": "30",
        }
    )
    response = client.post("/targets/2026", data=data)
    assert response.status_code == 302
    grid = services.targets_for_year(session, year=2026)
    assert grid[(d["SOF"].id, t["internship"].id)].value == 12
    assert grid[(d["SOF"].id, t["internship"].id)].decided_on == date(2025, 12, 10)
    assert grid[(d["BUF"].id, t["flex_job"].id)].value == 30
    assert len(grid) == 2
    # Change one value: a second revision, shown on the history page.
    data, html = _grid_data(client, 2026)
    assert 'value="12"' in html
    data.update(
        {
            f"value_{sof_key}": "14",
            f"decided_{sof_key}": "2026-02-01",
            f"reference_{sof_key}": "BR 2",
            f"value_{buf_key}": "30",
        }
    )
    assert client.post("/targets/2026", data=data).status_code == 302
    target = grid[(d["SOF"].id, t["internship"].id)]
    revisions = session.exec(select(TargetRevision).where(TargetRevision.target_id == target.id)).all()
    assert sorted(r.value for r in revisions) == [12, 14]
    page = client.get(f"/targets/history/{target.id}").get_data(as_text=True)
    assert "BR 10.12.2025" in page and "BR 2" in page and "10.12.2025" in page


def test_grid_rejects_negative_and_non_numbers_and_saves_nothing(
    client, login, make_user, reference, session
):
    login(make_user("bif"))
    d, t = reference["departments"], reference["types"]
    a, b = f"{d['SOF'].id}_{t['internship'].id}", f"{d['BUF'].id}_{t['internship'].id}"
    data, _ = _grid_data(client, 2026)
    data.update({f"value_{a}": "-3", f"value_{b}": "7"})
    response = client.post("/targets/2026", data=data)
    assert response.status_code == 200
    assert "Skriv et helt tal" in response.get_data(as_text=True)
    data[f"value_{a}"], data[f"decided_{b}"] = "4", "31-31-2025"
    response = client.post("/targets/2026", data=data)
    assert response.status_code == 200
    assert session.exec(select(Target)).all() == []


def test_grid_cannot_blank_an_existing_target(client, login, make_user, reference, session, clock):
    login(make_user("bif"))
    d, t = reference["departments"], reference["types"]
    services.set_target(
        session,
        year=2026,
        department_id=d["SOF"].id,
        type_id=t["internship"].id,
        value=5,
        decided_on=None,
        reference="",
        actor="t",
        now=clock.now(),
    )
    session.commit()
    data, _ = _grid_data(client, 2026)
    response = client.post("/targets/2026", data=data)
    assert response.status_code == 200
    assert "skriv 0" in response.get_data(as_text=True)
    session.expire_all()
    assert services.targets_for_year(session, year=2026)[(d["SOF"].id, t["internship"].id)].value == 5


def test_copy_last_year(client, login, make_user, reference, session, clock):
    login(make_user("admin"))
    d, t = reference["departments"], reference["types"]
    services.set_target(
        session,
        year=2025,
        department_id=d["SOF"].id,
        type_id=t["internship"].id,
        value=8,
        decided_on=None,
        reference="",
        actor="t",
        now=clock.now(),
    )
    session.commit()
    data, _html = _grid_data(client, 2026)
    response = client.post("/targets/2026/copy", data=data)
    assert response.status_code == 302
    assert services.targets_for_year(session, year=2026)[(d["SOF"].id, t["internship"].id)].value == 8


def test_municipality_headcount_derive_and_warning(client, login, make_user, reference, session):
    login(make_user("bif"))
    d, t = reference["departments"], reference["types"]
    html = client.get("/targets/2026/municipality").get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), f"municipal_{t['senior_job'].id}": "10", "reference": "BR"}
    for i, dep in enumerate(d.values()):
        data[f"headcount_{dep.id}"] = str(1000 * (i + 1))
    assert client.post("/targets/2026/municipality", data=data).status_code == 302
    assert session.exec(select(MunicipalityTarget)).one().value == 10
    assert len(session.exec(select(DepartmentHeadcount)).all()) == 7
    page = client.get("/targets/2026").get_data(as_text=True)
    assert "summer ikke" in page  # no department targets yet: warning
    response = client.post(
        "/targets/2026/derive", data={"csrf_token": data["csrf_token"], "type_id": t["senior_job"].id}
    )
    assert response.status_code == 302
    values = [x.value for x in session.exec(select(Target).where(Target.type_id == t["senior_job"].id)).all()]
    assert sum(values) == 10 and len(values) == 7
    assert "summer ikke" not in client.get("/targets/2026").get_data(as_text=True)


def test_rules_page_saves_checkboxes_and_weighting(client, login, make_user, reference, session):
    login(make_user("bif"))
    t = reference["types"]
    html = client.get("/targets/2026/rules").get_data(as_text=True)
    data = {"csrf_token": csrf_from(html)}
    for _code, placement_type in t.items():
        data[f"weighting_{placement_type.id}"] = "headcount"
        if placement_type.measure == "stock":
            data[f"count_{placement_type.id}_filled"] = "y"
    data[f"count_{t['internship'].id}_open"] = "y"
    data[f"weighting_{t['flex_job'].id}"] = "fte"
    assert client.post("/targets/2026/rules", data=data).status_code == 302
    rules = {r.type_id: r for r in session.exec(select(CountingRule).where(CountingRule.year == 2026)).all()}
    assert rules[t["internship"].id].statuses == ("open", "filled")
    assert rules[t["flex_job"].id].weighting == "fte"
    assert rules[t["utility_job"].id].statuses == ("filled",)
    assert rules[t["job_rotation"].id].statuses == ()


def test_hr_cannot_see_or_change_targets(client, login, make_user, reference, session):
    login(make_user("hr", "SOF"))
    d, t = reference["departments"], reference["types"]
    for url in (
        "/targets/2026",
        "/targets/2026/municipality",
        "/targets/2026/rules",
        "/targets/import",
        "/exports/targets-2026.csv",
    ):
        assert client.get(url).status_code == 403, url
    key = f"{d['BUF'].id}_{t['internship'].id}"
    assert client.post("/targets/2026", data={f"value_{key}": "3"}).status_code in (400, 403)
    assert client.post("/targets/2026/copy").status_code in (400, 403)
    assert client.post("/targets/2026/derive", data={"type_id": t["internship"].id}).status_code in (400, 403)
    assert session.exec(select(Target)).all() == []


def test_pages_in_english(client, login, make_user, reference):
    login(make_user("bif"))
    html = client.get("/targets/2026").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_from(html), "lang": "en"})
    assert "Save targets" in client.get("/targets/2026").get_data(as_text=True)
    assert "Counting rules 2026" in client.get("/targets/2026/rules").get_data(as_text=True)
    assert "Departments and mayors" in client.get("/admin/departments").get_data(as_text=True)
    assert "Personal API tokens" in client.get("/tokens/").get_data(as_text=True)


def _choose(client, lang: str) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/targets/2026").get_data(as_text=True))
    assert client.post("/language", data={"csrf_token": token, "lang": lang}).status_code == 302


def test_a_refused_copy_is_told_in_the_readers_language(client, login, make_user, reference, session):
    login(make_user("bif"))
    data, _html = _grid_data(client, 2026)
    page = client.post("/targets/2026/copy", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Der er ingen måltal for 2025 at kopiere." in page
    _choose(client, "en")
    data, _html = _grid_data(client, 2026)
    page = client.post("/targets/2026/copy", data=data, follow_redirects=True).get_data(as_text=True)
    assert "There are no targets for 2025 to copy." in page
    assert "Der er ingen måltal" not in page
    assert session.exec(select(Target)).all() == []


def test_bad_target_rows_in_english(client, login, make_user, reference):
    login(make_user("bif"))
    _choose(client, "en")
    token = csrf_from(client.get("/targets/import").get_data(as_text=True))
    rows = "year;department;type;value;decided_on;reference\r\n2026;SOF;x;1;;\r\n1999;ABC;internship;-1;;\r\n"
    page = client.post(
        "/targets/import", data={"csrf_token": token, "file": (io.BytesIO(rows.encode()), "t.csv")}
    ).get_data(as_text=True)
    page = html.unescape(page)
    assert "Nothing was saved. Fix these rows and try again:" in page
    for line in (
        "Row 2: Unknown placement type 'x'.",
        "Row 3: The year must be between 2000 and 2100.",
        "Row 3: Unknown department 'ABC'.",
        "Row 3: The target must be a whole number, 0 or more.",
    ):
        assert line in page, line
    assert "Ukendt" not in page and "Række" not in page


def _rules_table(html_text: str) -> str:
    return html_text[
        html_text.index('<table class="table table--compact kk-rules">') : html_text.index("</table>")
    ]


def test_rules_are_one_table_of_types_and_statuses_with_the_weighting_beside_each_type(
    client, login, make_user, reference
):
    login(make_user("bif"))
    t = reference["types"]
    table = _rules_table(client.get("/targets/2026/rules").get_data(as_text=True))
    assert table.count("<form") == 0 and table.count('<th scope="row">') == len(t)
    heads = [h.strip() for h in re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)]
    assert heads == ["Ordning", "åben", "besat", "i bero", "nedlagt", "Vægtning"]
    internship = table[table.index("Virksomhedspraktik") :].split("</tr>")[0]
    # Each stock type: a checkbox per status, the adopted rule ticked, and the weighting in the same row.
    boxes = re.findall(r"<input[^>]*>", internship)
    assert len(boxes) == 4
    assert [b for b in boxes if "checked" in b] == [
        b for b in boxes if f'name="count_{t["internship"].id}_filled"' in b
    ]
    assert f'name="weighting_{t["internship"].id}"' in internship
    rotation = table[table.index("Jobrotation") :].split("</tr>")[0]
    assert 'type="checkbox"' not in rotation and f'name="weighting_{t["job_rotation"].id}"' in rotation


def test_a_refused_rules_save_changes_nothing_and_keeps_the_choices(
    client, login, make_user, reference, session
):
    login(make_user("bif"))
    t = reference["types"]
    before = {
        (r.type_id, r.counted_statuses, r.weighting)
        for r in session.exec(select(CountingRule).where(CountingRule.year == 2026))
    }
    audits = len(session.exec(select(AuditEntry).where(AuditEntry.action == "counting_rule.set")).all())
    data = {"csrf_token": csrf_from(client.get("/targets/2026/rules").get_data(as_text=True))}
    for placement_type in t.values():
        data[f"weighting_{placement_type.id}"] = "fte"  # a change for every type...
        if placement_type.measure == "stock":
            data[f"count_{placement_type.id}_paused"] = "y"
    del data[f"count_{t['senior_job'].id}_paused"]  # ...but senior jobs would count nothing
    response = client.post("/targets/2026/rules", data=data)
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "Seniorjob: Vælg mindst én status, der tæller med." in page
    assert 'role="alert"' in page
    # Nothing saved, nothing audited; the table shows what was chosen.
    after = {
        (r.type_id, r.counted_statuses, r.weighting)
        for r in session.exec(select(CountingRule).where(CountingRule.year == 2026))
    }
    assert after == before
    assert (
        len(session.exec(select(AuditEntry).where(AuditEntry.action == "counting_rule.set")).all()) == audits
    )
    internship = _rules_table(page)
    internship = internship[internship.index("Virksomhedspraktik") :].split("</tr>")[0]
    assert re.search(r'<option[^>]*selected[^>]*value="fte"', internship)
    # A weighting that is not a choice is refused by the form itself.
    data[f"count_{t['senior_job'].id}_filled"] = "y"
    data[f"weighting_{t['internship'].id}"] = "half"
    assert client.post("/targets/2026/rules", data=data).status_code == 200
    assert {
        (r.type_id, r.counted_statuses, r.weighting)
        for r in session.exec(select(CountingRule).where(CountingRule.year == 2026))
    } == before
    # Corrected, the whole table is saved and every changed rule audited.
    data[f"weighting_{t['internship'].id}"] = "headcount"
    assert client.post("/targets/2026/rules", data=data).status_code == 302
    rules = {r.type_id: r for r in session.exec(select(CountingRule).where(CountingRule.year == 2026))}
    assert (
        rules[t["internship"].id].statuses == ("paused",)
        and rules[t["internship"].id].weighting == "headcount"
    )
    assert rules[t["flex_job"].id].weighting == "fte"
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "counting_rule.set")).all()
    assert len(entries) == audits + len(t)


def test_target_history_shows_who_changed_what(client, login, make_user, reference, session, clock):
    d, t = reference["departments"], reference["types"]
    target = services.set_target(
        session,
        year=2026,
        department_id=d["SOF"].id,
        type_id=t["internship"].id,
        value=10,
        decided_on=None,
        reference="Indlæst",
        actor="cli",
        now=clock.now(),
    )
    session.commit()
    bif = make_user("bif", email="kirsten@test.kk.dk")
    bif.name = "Kirsten Ærø"
    session.commit()
    login(bif)
    data, _html = _grid_data(client, 2026)
    key = f"{d['SOF'].id}_{t['internship'].id}"
    data.update({f"value_{key}": "14", f"reference_{key}": "BR 2"})
    assert client.post("/targets/2026", data=data).status_code == 302
    page = html.unescape(client.get(f"/targets/history/{target.id}").get_data(as_text=True))
    rows = page[page.index("<tbody") :].split("</tr>")
    assert "kommandolinjen" in rows[0] and "oprettet" in rows[0] and "Indlæst" in rows[0]
    assert "Kirsten Ærø (kirsten@test.kk.dk)" in rows[1] and "måltal fra 10 til 14" in rows[1]
    assert "Registreret af" in page


def test_a_rules_checkbox_is_read_with_the_shared_converter(client, login, make_user, reference, session):
    login(make_user("bif"))
    t = reference["types"]
    before = {
        (r.type_id, r.counted_statuses, r.weighting)
        for r in session.exec(select(CountingRule).where(CountingRule.year == 2026))
    }
    data = {"csrf_token": csrf_from(client.get("/targets/2026/rules").get_data(as_text=True))}
    for placement_type in t.values():
        data[f"weighting_{placement_type.id}"] = "headcount"
        if placement_type.measure == "stock":
            data[f"count_{placement_type.id}_filled"] = "ja"
    data[f"count_{t['internship'].id}_open"] = "måske"
    response = client.post("/targets/2026/rules", data=data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "'måske' er hverken ja eller nej." in page
    after = {
        (r.type_id, r.counted_statuses, r.weighting)
        for r in session.exec(select(CountingRule).where(CountingRule.year == 2026))
    }
    assert after == before
    data[f"count_{t['internship'].id}_open"] = "on"
    assert client.post("/targets/2026/rules", data=data).status_code == 302
    rule = session.exec(
        select(CountingRule).where(CountingRule.year == 2026, CountingRule.type_id == t["internship"].id)
    ).one()
    assert rule.statuses == ("open", "filled")
