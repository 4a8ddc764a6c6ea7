"""Signing in and out (presenters, school staff, admins)."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from ..extensions import limiter
from ..services.accounts import authenticate
from . import local_path
from .validators import DataRequired, Length

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def _username_key() -> str:
    return "login:" + str(request.form.get("username", "")).strip().lower()[:80]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_USER"], methods=["POST"],
               key_func=_username_key)
def login():
    # Only a posted form counts (Flask-WTF would otherwise also read a JSON body).
    form = LoginForm(formdata=request.form if request.method == "POST" else None)
    failed = False
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            # presenters to their sessions; staff and viewers to the records they may read
            home = url_for("host.index") if user.can_host else url_for("records.index")
            return redirect(local_path(request.args.get("next")) or home)
        failed = True
    return render_template("auth/login.html", form=form, failed=failed)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("main.index"))
