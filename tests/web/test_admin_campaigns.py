"""Campaigns in the admin area: each year's window, created and moved by an admin; the records
follow the window at once."""
from __future__ import annotations

from datetime import date

from quizapp.extensions import db
from quizapp.models import Campaign

from tests.records.test_queries import at


def test_an_admin_adds_next_years_campaign_and_moves_it(app, make, records):
    admin = app.test_client()
    make.login(admin, records.user("admin"))
    listing = admin.get("/admin/campaigns").get_data(as_text=True)
    assert "khong-mot-minh-2025" in listing and "06/10/2025" in listing
    response = admin.post("/admin/campaigns/new", data={
        "slug": "khong-mot-minh-2026", "name": "Không một mình 2026",
        "starts": "2026-10-05", "ends": "2026-11-29"})
    assert response.status_code == 302
    with app.app_context():
        campaign = db.session.query(Campaign).filter_by(slug="khong-mot-minh-2026").one()
        assert (campaign.starts, campaign.ends) == (date(2026, 10, 5), date(2026, 11, 29))
        campaign_id = campaign.id
    unit = records.unit("Phường Mới")
    records.session(records.school("NEW1", unit), records.user(unit_id=unit),
                    at(date(2026, 12, 2)), players=[("An", 0)])
    figures = lambda: admin.get("/api/v1/public/summary?campaign=khong-mot-minh-2026")  # noqa: E731
    assert figures().get_json()["sessions"] == 0
    # a window moved later takes in the session held on its new days
    moved = admin.post(f"/admin/campaigns/{campaign_id}", data={
        "name": "Không một mình 2026", "starts": "2026-10-05", "ends": "2026-12-31"})
    assert moved.status_code == 302 and figures().get_json()["sessions"] == 1


def test_bad_campaigns_are_refused_with_a_message(app, make, records):
    admin = app.test_client()
    make.login(admin, records.user("admin"))
    admin.get("/lang/en")  # the messages below are the English ones
    for data, text in [
        ({"slug": "Có Dấu", "name": "x", "starts": "2026-10-05", "ends": "2026-11-29"},
         "lowercase"),
        ({"slug": "ok-1", "name": "x", "starts": "2026-10-05", "ends": "2026-01-01"},
         "cannot end before"),
        ({"slug": "ok-2", "name": "x", "starts": "mai", "ends": "2026-11-29"}, "date like"),
        ({"slug": "khong-mot-minh-2025", "name": "x", "starts": "2026-10-05",
          "ends": "2026-11-29"}, "already has"),
    ]:
        response = admin.post("/admin/campaigns/new", data=data)
        assert response.status_code == 200 and text in response.get_data(as_text=True), data
    with app.app_context():
        assert db.session.query(Campaign).count() == 1


def test_only_admins_manage_campaigns(app, make, records):
    viewer = app.test_client()
    make.login(viewer, records.user("viewer"))
    assert viewer.get("/admin/campaigns").status_code == 403
    assert app.test_client().get("/admin/campaigns").status_code == 302
