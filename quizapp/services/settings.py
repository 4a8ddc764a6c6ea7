"""Settings changed in the app (the ``Setting`` table: a key and a JSON value), with the
environment's values as defaults.

The support contact is the person the campaign letter names for difficulties: a name, a unit and
a phone number, shown to presenters and school staff and printed on the reports. The environment
(``QUIZAPP_SUPPORT_NAME``, ``QUIZAPP_SUPPORT_UNIT``, ``QUIZAPP_SUPPORT_PHONE``) gives it until an
admin saves one in the app; from then on the saved one is shown (saved empty: none is shown),
until the admin goes back to the environment's.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Setting, utcnow

SUPPORT_KEY = "support.contact"
MAX_NAME = 120
MAX_UNIT = 200
MAX_PHONE = 30
#: A phone number: digits, with spaces, dots, hyphens or brackets between them, and a leading
#: "+" for an international number ("0229 3871 234", "+84 912.345.678", "(0229) 387 1234", "113").
PHONE_RE = re.compile(r"^\+?[0-9 .()\-]+$")
MIN_DIGITS, MAX_DIGITS = 3, 15  # 111 and 113 are phone numbers too; E.164 stops at 15 digits


class SettingError(ValueError):
    """A value that is not taken: ``field`` names the form field, ``message`` says why."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = str(message)


def get_setting(key: str, default: Any = None) -> Any:
    row = db.session.get(Setting, key)
    return row.value if row is not None else default


def set_setting(key: str, value: Any, commit: bool = True) -> None:
    """Store ``value`` under ``key`` (committed, unless the caller commits with more)."""
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()
    if commit:
        db.session.commit()


def delete_setting(key: str) -> None:
    row = db.session.get(Setting, key)
    if row is not None:
        db.session.delete(row)
        db.session.commit()


# ----- the support contact ----------------------------------------------------------------------


def one_line(value: object) -> str:
    """One line of text: control characters out, runs of white space made one space."""
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in str(value or ""))
    return " ".join(unicodedata.normalize("NFC", text).split())


def tel_href(phone: str) -> str:
    """The ``tel:`` link of a phone number as written: its digits, with its leading "+"."""
    digits = "".join(c for c in phone if c.isascii() and c.isdigit())
    if not digits:
        return ""
    return "tel:" + ("+" if phone.lstrip().startswith("+") else "") + digits


def clean_support(name: object, unit: object, phone: object) -> dict:
    """The support contact as it is stored, or ``SettingError`` for the first field that is not
    right. All three may be empty (no contact shown); a unit or a phone needs a name."""
    contact = {"name": one_line(name), "unit": one_line(unit), "phone": one_line(phone)}
    if len(contact["name"]) > MAX_NAME:
        raise SettingError("name", _l("Use at most %(max)d characters.", max=MAX_NAME))
    if len(contact["unit"]) > MAX_UNIT:
        raise SettingError("unit", _l("Use at most %(max)d characters.", max=MAX_UNIT))
    phone = contact["phone"]
    if phone:
        digits = sum(c.isdigit() for c in phone)
        if len(phone) > MAX_PHONE or not PHONE_RE.match(phone) or "+" in phone[1:]:
            raise SettingError("phone", _l("Write a phone number with digits only (spaces, dots "
                                           "and hyphens may separate them; “+” may start it), "
                                           "e.g. 0229 3871 234."))
        if not MIN_DIGITS <= digits <= MAX_DIGITS:
            raise SettingError("phone", _l("A phone number has %(min)d to %(max)d digits.",
                                           min=MIN_DIGITS, max=MAX_DIGITS))
    if (contact["unit"] or contact["phone"]) and not contact["name"]:
        raise SettingError("name", _l("Write the name of the person to contact."))
    return contact


def support_from_environment() -> dict:
    config = current_app.config
    return {"name": one_line(config.get("SUPPORT_NAME")),
            "unit": one_line(config.get("SUPPORT_UNIT")),
            "phone": one_line(config.get("SUPPORT_PHONE"))}


def support_is_saved() -> bool:
    """Whether an admin saved the contact in the app (else the environment's is used)."""
    return isinstance(get_setting(SUPPORT_KEY), dict)


def support_values() -> dict:
    """The contact's three fields: the one saved in the app, else the environment's."""
    saved = get_setting(SUPPORT_KEY)
    if isinstance(saved, dict):
        return {key: one_line(saved.get(key)) for key in ("name", "unit", "phone")}
    return support_from_environment()


def save_support(name: object, unit: object, phone: object) -> dict:
    contact = clean_support(name, unit, phone)
    set_setting(SUPPORT_KEY, contact)
    return contact


def reset_support() -> None:
    """Back to the environment's contact."""
    delete_setting(SUPPORT_KEY)


def support_contact() -> dict | None:
    """The contact to show (``name``, ``unit``, ``phone``, ``tel``: the phone's ``tel:`` link),
    or None when there is none. Read once per request."""
    if has_request_context() and "support_contact" in g:
        return g.support_contact
    values = support_values()
    contact = None
    if values["name"] or values["phone"]:
        contact = {**values, "tel": tel_href(values["phone"]) if values["phone"] else ""}
    if has_request_context():
        g.support_contact = contact
    return contact
