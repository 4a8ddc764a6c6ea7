"""Campaigns: a name and a window of days. The national campaign recurs every year, so each year
is a campaign of its own; a session counts for every campaign whose window holds its day."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Campaign

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")

#: The campaign the seed letter asked for; every new installation starts with it.
FIRST = {"slug": "khong-mot-minh-2025",
         "name": "Không một mình – Cùng nhau an toàn trực tuyến 2025",
         "starts": date(2025, 10, 6), "ends": date(2025, 11, 30)}


class CampaignError(ValueError):
    """A campaign that cannot be stored; ``field`` names what is wrong, ``conflict`` says it
    clashes with one already stored."""

    def __init__(self, field: str, message: str, conflict: bool = False):
        super().__init__(message)
        self.field = field
        self.conflict = conflict


def parse_day(value: object, field: str) -> date:
    if not isinstance(value, str):
        raise CampaignError(field, _("%(field)s must be a date like 2025-10-06", field=field))
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise CampaignError(field, _("%(field)s must be a date like 2025-10-06",
                                     field=field)) from exc


def create_campaign(slug: object, name: object, starts: object, ends: object) -> Campaign:
    """Store a new campaign. The slug is lowercase letters, digits and hyphens and unique; the
    name is not empty; the window holds at least one day."""
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise CampaignError("slug", _("slug must be lowercase letters, digits and hyphens"))
    name, first, last = _checked(name, starts, ends)
    if db.session.scalar(select(Campaign.id).where(Campaign.slug == slug)) is not None:
        raise CampaignError("slug", _("a campaign already has this slug"), conflict=True)
    campaign = Campaign(slug=slug, name=name, starts=first, ends=last)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def update_campaign(campaign: Campaign, name: object, starts: object, ends: object) -> Campaign:
    """Rename a campaign or move its window (its slug stays: links and exports name it). The
    records follow at once: they are counted by day, never stored per campaign."""
    campaign.name, campaign.starts, campaign.ends = _checked(name, starts, ends)
    db.session.commit()
    return campaign


def _checked(name: object, starts: object, ends: object) -> tuple[str, date, date]:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise CampaignError("name", _("name must be 1 to 200 characters"))
    first, last = parse_day(starts, "starts"), parse_day(ends, "ends")
    if last < first:
        raise CampaignError("ends", _("the campaign cannot end before it starts"))
    return name.strip(), first, last


def ensure_first_campaign() -> None:
    """A new installation knows the 2025 campaign (admins add the next ones)."""
    if db.session.scalar(select(Campaign.id).limit(1)) is None:
        db.session.add(Campaign(**FIRST))
        db.session.commit()
