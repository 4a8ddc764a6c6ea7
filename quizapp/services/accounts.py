"""Accounts and API tokens."""
from __future__ import annotations

import unicodedata

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import User
from .org import OrgError, clean_text, find_school, find_unit

MIN_PASSWORD = 8
MAX_PASSWORD = 200  # the sign-in form's limit


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None. Usernames ignore case."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def create_user(username: str, password: str, role: str = "presenter", **fields) -> User:
    if role not in User.ROLES:
        raise ValueError(f"role must be one of {', '.join(User.ROLES)}")
    user = User(username=username.strip(), role=role, **fields)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


class AccountError(ValueError):
    """An account that cannot be created or changed: ``code`` is the API's error code
    (``bad_request``, ``conflict``, ``not_found``), ``field`` the input at fault."""

    def __init__(self, message: str, code: str = "bad_request", field: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def user_by_username(username: str) -> User | None:
    """The account with this username, ignoring case."""
    wanted = username.strip().lower()
    return db.session.scalar(select(User).where(func.lower(User.username) == wanted))


def check_password_rule(password: object) -> str:
    """A password is 8 to 200 characters."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(_("The password must have at least %(n)d characters.", n=MIN_PASSWORD),
                           field="password")
    if len(password) > MAX_PASSWORD:
        raise AccountError(_("The password must have at most %(n)d characters.", n=MAX_PASSWORD),
                           field="password")
    return password


def _check_username(username: object) -> str:
    """A username is 2 to 80 characters without spaces; no two differ only by case."""
    if not isinstance(username, str):
        raise AccountError(_("Give a username."), field="username")
    name = unicodedata.normalize("NFC", username.strip())
    if not 2 <= len(name) <= 80:
        raise AccountError(_("A username has 2 to 80 characters."), field="username")
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise AccountError(_("A username has no spaces."), field="username")
    if user_by_username(name) is not None:
        raise AccountError(_("The username “%(name)s” is taken.", name=name), "conflict",
                           "username")
    return name


def create_account(username: object, password: object, role: object, unit: object = None,
                   school: object = None, display_name: object = "") -> User:
    """Create an account by the rules of the roles: a presenter is attached to a unit (named
    ``Province / Unit``, or by its name alone if no other province has one of that name), staff
    to a school (by code), admin and viewer to neither. Raises ``AccountError``."""
    if role not in User.ROLES:
        raise AccountError(_("The role must be one of: %(roles)s.", roles=", ".join(User.ROLES)),
                           field="role")
    for name, value in (("unit", unit), ("school", school), ("display_name", display_name)):
        if value is not None and not isinstance(value, str):
            raise AccountError(_("%(field)s must be text.", field=name), field=name)
    unit, school = clean_text(unit), clean_text(school)
    display_name = clean_text(display_name)
    if len(display_name) > 120:
        raise AccountError(_("A name has at most 120 characters."), field="display_name")
    username = _check_username(username)
    check_password_rule(password)
    fields: dict = {"display_name": display_name}
    try:
        if role == "presenter":
            if not unit:
                raise AccountError(_("A presenter must be attached to a unit."), field="unit")
            if school:
                raise AccountError(_("A presenter is attached to a unit, not a school."),
                                   field="school")
            fields["unit_id"] = find_unit(unit).id
        elif role == "staff":
            if not school:
                raise AccountError(_("School staff must be attached to a school."), field="school")
            if unit:
                raise AccountError(_("School staff are attached to a school, not a unit."),
                                   field="unit")
            fields["school_id"] = find_school(school).id
        elif unit or school:
            raise AccountError(_("An account of role %(role)s is attached to no unit or school.",
                                 role=role), field="unit" if unit else "school")
    except OrgError as exc:
        raise AccountError(exc.message, "bad_request",
                           "unit" if role == "presenter" else "school") from exc
    try:
        return create_user(username, password, role=role, **fields)
    except IntegrityError:  # the same username created at the same moment
        db.session.rollback()
        raise AccountError(_("The username “%(name)s” is taken.", name=username), "conflict",
                           "username") from None


def set_active(user: User, active: bool, by: User | None = None) -> None:
    """Deactivate or reactivate an account. A deactivated account cannot sign in, and its
    sessions and API tokens stop working. Admins cannot deactivate their own account, and the
    last active admin stays active (someone must be able to manage accounts)."""
    if not active and by is not None and by.id == user.id:
        raise AccountError(_("You cannot deactivate your own account."), "conflict")
    if not active and user.role == "admin" and user.active:
        others = db.session.scalar(select(func.count(User.id)).where(
            User.role == "admin", User.active.is_(True), User.id != user.id))
        if not others:
            raise AccountError(_("This is the last active admin account."), "conflict")
    user.active = active
    db.session.commit()


def reset_password(user: User, password: object) -> None:
    """Set a new password; the account's API tokens stop working."""
    user.set_password(check_password_rule(password))
    db.session.commit()


def user_json(user: User) -> dict:
    """An account as the API shows it (never the password hash)."""
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "unit": user.unit.name if user.unit else None,
            "province": user.unit.province.name if user.unit else None,
            "school": user.school.code if user.school else None, "active": user.active}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-token")


def issue_api_token(user: User) -> str:
    """A signed bearer token naming the user; it also dies when the password changes."""
    return _serializer().dumps({"uid": user.id, "pw": user.password_hash[-12:]})


def user_for_api_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["API_TOKEN_MAX_AGE"])
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or user.password_hash[-12:] != data.get("pw"):
        return None
    return user
