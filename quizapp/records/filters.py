"""Reading what a records request asks for (``?campaign=``, ``?from=``, ``?to=``, ``?province=``,
``?unit=``, ``?level=``) into a campaign and its ``queries.Filters``: one reading for the JSON API
and the pages, so both accept and refuse the same things."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from ..extensions import db
from ..models import Campaign, Province, School, Unit
from . import queries
from .campaigns import CampaignError, parse_day


class BadFilter(ValueError):
    """A filter that cannot be read; the message says which and how to write it."""


def campaign_arg(args: Mapping[str, str]) -> Campaign:
    """The campaign named by ``campaign`` (the one under way, or the latest, without it);
    LookupError when there is none."""
    slug = (args.get("campaign") or "").strip() or None
    campaign = queries.find_campaign(slug)
    if campaign is None:
        raise LookupError(_("No campaign has this name.") if slug else _("No campaign yet."))
    return campaign


def filters_arg(args: Mapping[str, str], campaign: Campaign) -> queries.Filters:
    """The campaign's window, narrowed by ``from``, ``to`` (days within the window, the first
    before the last), ``province``, ``unit`` (ids) and ``level``. Empty values mean "no
    filter"; anything unreadable raises ``BadFilter``."""
    try:
        starts = parse_day(args["from"], "from") if args.get("from") else campaign.starts
        ends = parse_day(args["to"], "to") if args.get("to") else campaign.ends
    except CampaignError as exc:
        raise BadFilter(str(exc)) from exc
    if not campaign.starts <= starts <= ends <= campaign.ends:
        raise BadFilter(_("Choose days from %(starts)s to %(ends)s, the first before the last.",
                          starts=f"{campaign.starts:%d/%m/%Y}", ends=f"{campaign.ends:%d/%m/%Y}"))
    ids = {}
    for key, model in (("province", Province), ("unit", Unit)):
        value = (args.get(key) or "").strip()
        if value:
            # ASCII digits of a size the database takes ("²" is a digit Python cannot int())
            if (not (value.isascii() and value.isdigit()) or len(value) > 9
                    or db.session.get(model, int(value)) is None):
                raise BadFilter(_("Unknown %(field)s.", field=key))
            ids[key] = int(value)
    level = args.get("level") or None
    if level is not None and level not in School.LEVELS:
        raise BadFilter(_("level must be one of %(levels)s", levels=", ".join(School.LEVELS)))
    return queries.Filters(starts, ends, ids.get("province"), ids.get("unit"), level)
