"""Accounts and API tokens."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from ..extensions import db
from ..models import User


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
