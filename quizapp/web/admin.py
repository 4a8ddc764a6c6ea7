"""The admin area (``/admin``, admins only): importing the organisation file, units and schools,
and accounts."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import (PasswordField, RadioField, SelectChoice, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import EqualTo

from ..extensions import db
from ..models import Campaign, Province, Resource, School, Unit, User
from ..records.campaigns import CampaignError, create_campaign, update_campaign
from ..records.queries import campaigns as list_campaigns
from ..services.accounts import (MIN_PASSWORD, AccountError, create_account, reset_password,
                                 set_active)
from ..services.org import (KIND_LABELS, LEVEL_LABELS, MAX_FILE_BYTES, TEMPLATE_CSV, OrgError,
                            OrgFileError, import_org, org_totals, save_school, save_unit,
                            school_counts, schools_query, unit_label, units_query, words_filter)
from ..services.resources import ACCEPT as RESOURCE_ACCEPT
from ..services.resources import LONG_URL, MAX_DESCRIPTION
from ..services.resources import MAX_FILE_BYTES as MAX_RESOURCE_BYTES
from ..services.resources import (MAX_TITLE, MAX_URL, ResourceError, delete_resource, human_size,
                                  move_resource, save_resource)
from ..services.resources import kind_label as resource_kind
from ..services.resources import resources as resources_list
from ..services.resources import target_url as resource_url
from ..services.resources import too_large_message as resource_too_large
from ..services.settings import MAX_NAME as MAX_SUPPORT_NAME
from ..services.settings import MAX_PHONE as MAX_SUPPORT_PHONE
from ..services.settings import MAX_UNIT as MAX_SUPPORT_UNIT
from ..services.settings import (SettingError, reset_support, save_support, support_contact,
                                 support_from_environment, support_is_saved, support_values)
from . import local_path
from .validators import DataRequired, Length

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50
#: Rows of a bad file's problems shown on the page (the API and the command list them all).
SHOWN_PROBLEMS = 500
ROLE_LABELS = {"admin": _l("Admin"), "viewer": _l("Viewer"), "presenter": _l("Presenter"),
               "staff": _l("School staff")}


@bp.before_request
@login_required
def admins_only():
    """Anonymous visitors are sent to sign in; other roles get 403."""
    if not current_user.is_admin:
        abort(403)


@bp.context_processor
def labels():
    return {"KIND_LABELS": KIND_LABELS, "LEVEL_LABELS": LEVEL_LABELS, "ROLE_LABELS": ROLE_LABELS,
            "unit_label": unit_label, "num": format_decimal}


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int)


def _links(**args) -> dict:
    """The filters to carry in page links, without the empty ones."""
    return {k: v for k, v in args.items() if v}


def _page(query):
    return db.paginate(query, page=max(1, request.args.get("page", 1, type=int)),
                       per_page=PER_PAGE, error_out=False, count=True)


# ----- overview and import ----------------------------------------------------------------------


class ImportForm(FlaskForm):
    file = FileField(_l("Organisation file (CSV or Excel .xlsx)"),
                     validators=[FileRequired(_l("Choose a file."))])


@bp.get("/")
def index():
    return render_template("admin/index.html", totals=org_totals())


@bp.route("/import", methods=["GET", "POST"])
def org_import():
    """Upload the organisation file: the counts, or every bad row (nothing imported then)."""
    counts, failure = None, None
    request.max_content_length = MAX_FILE_BYTES + 64 * 1024
    try:
        form = ImportForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, valid = ImportForm(formdata=None), False
        failure = OrgFileError(_("The file is larger than %(mb)d MB.", mb=MAX_FILE_BYTES // 2**20))
    if valid:
        upload = form.file.data
        data = upload.read(MAX_FILE_BYTES + 1)
        try:
            counts = import_org(data, upload.filename or "")
        except OrgFileError as exc:
            failure = exc
    return render_template("admin/import.html", form=form, counts=counts, failure=failure,
                           shown=SHOWN_PROBLEMS)


@bp.get("/import/template.csv")
def org_template():
    """A file to start from: the header and one example row (UTF-8 with BOM, so Excel shows the
    Vietnamese letters right)."""
    return Response("\ufeff" + TEMPLATE_CSV, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=organisation.csv"})


# ----- units ------------------------------------------------------------------------------------


class UnitForm(FlaskForm):
    province = StringField(_l("Province"), validators=[DataRequired(), Length(max=120)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])


def _provinces() -> list[Province]:
    return list(db.session.scalars(select(Province).order_by(Province.name)))


@bp.get("/units")
def units():
    filters = {"province_id": _int_arg("province"), "kind": request.args.get("kind", ""),
               "q": request.args.get("q", "")}
    page = _page(units_query(**filters))
    return render_template("admin/units.html", page=page, provinces=_provinces(), args=filters,
                           counts=school_counts([u.id for u in page.items]),
                           links=_links(province=filters["province_id"], kind=filters["kind"],
                                        q=filters["q"]))


@bp.route("/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit_edit(unit_id: int | None):
    unit = db.get_or_404(Unit, unit_id) if unit_id is not None else None
    form = UnitForm(obj=unit)
    if request.method == "GET" and unit is not None:
        form.province.data = unit.province.name
    if request.method == "GET" and unit is None:
        provinces = _provinces()
        if len(provinces) == 1:
            form.province.data = provinces[0].name
    error = None
    if form.validate_on_submit():
        try:
            saved = save_unit(unit, form.province.data, form.name.data, form.kind.data)
        except OrgError as exc:
            error = exc.message
        else:
            flash(_("Saved %(name)s.", name=saved.name))
            return redirect(url_for("admin.units", province=saved.province_id))
    schools = (db.session.scalar(select(func.count(School.id)).where(School.unit_id == unit.id))
               if unit is not None else 0)
    return render_template("admin/unit_form.html", form=form, unit=unit, error=error,
                           provinces=_provinces(), schools=schools)


# ----- schools ----------------------------------------------------------------------------------


class SchoolForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    level = SelectField(_l("Level"), choices=[SelectChoice(k, v) for k, v in LEVEL_LABELS.items()])
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=250)])


def _unit_options(limit: int = 5000) -> list[Unit]:
    return list(db.session.scalars(select(Unit).join(Unit.province)
                                   .order_by(Province.name, Unit.name).limit(limit)))


@bp.get("/schools")
def schools():
    filters = {"province_id": _int_arg("province"), "unit_id": _int_arg("unit"),
               "level": request.args.get("level", ""), "q": request.args.get("q", "")}
    page = _page(schools_query(**filters))
    unit = db.session.get(Unit, filters["unit_id"]) if filters["unit_id"] else None
    return render_template("admin/schools.html", page=page, provinces=_provinces(), unit=unit,
                           args=filters,
                           links=_links(province=filters["province_id"], unit=filters["unit_id"],
                                        level=filters["level"], q=filters["q"]))


@bp.route("/schools/new", methods=["GET", "POST"], defaults={"school_id": None})
@bp.route("/schools/<int:school_id>", methods=["GET", "POST"])
def school_edit(school_id: int | None):
    school = db.get_or_404(School, school_id) if school_id is not None else None
    form = SchoolForm(obj=school)
    if request.method == "GET" and school is not None:
        form.unit.data = unit_label(school.unit)
    elif request.method == "GET" and _int_arg("unit"):
        unit = db.session.get(Unit, _int_arg("unit"))
        form.unit.data = unit_label(unit) if unit else ""
    error = None
    if form.validate_on_submit():
        try:
            saved = save_school(school, form.code.data, form.name.data, form.level.data,
                                form.unit.data)
        except OrgError as exc:
            db.session.rollback()
            error = exc.message
        else:
            flash(_("Saved %(name)s.", name=saved.name))
            return redirect(url_for("admin.schools", unit=saved.unit_id))
    return render_template("admin/school_form.html", form=form, school=school, error=error,
                           units=_unit_options())


# ----- accounts ---------------------------------------------------------------------------------


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=80)])
    display_name = StringField(_l("Full name"), validators=[Length(max=120)])
    role = SelectField(_l("Role"), default="presenter",
                       choices=[SelectChoice(k, v) for k, v in ROLE_LABELS.items()])
    unit = StringField(_l("Unit (presenters)"), validators=[Length(max=250)])
    school = StringField(_l("School code (school staff)"), validators=[Length(max=32)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD, max=200,
                               message=_l("At least %(n)d characters.", n=MIN_PASSWORD))])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD, max=200,
                               message=_l("At least %(n)d characters.", n=MIN_PASSWORD))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("password", message=_l("The two passwords differ."))])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


@bp.get("/users")
def users():
    role = request.args.get("role", "")
    q = request.args.get("q", "")
    query = (select(User).outerjoin(User.unit).outerjoin(User.school)
             .order_by(User.active.desc(), User.role, User.username))
    if role in User.ROLES:
        query = query.where(User.role == role)
    if q.strip():
        query = query.where(*words_filter(q, User.username, User.display_name, Unit.name,
                                          School.name, School.code))
    return render_template("admin/users.html", page=_page(query), args={"role": role, "q": q},
                           links=_links(role=role, q=q), confirm=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserForm()
    if request.method == "GET" and request.args.get("unit", type=int):
        unit = db.session.get(Unit, request.args.get("unit", type=int))
        form.unit.data = unit_label(unit) if unit else ""
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            user = create_account(form.username.data, form.password.data, form.role.data,
                                  unit=form.unit.data, school=form.school.data,
                                  display_name=form.display_name.data)
        except AccountError as exc:
            errors[exc.field or "form"] = exc.message
        else:
            flash(_("Created the account %(name)s.", name=user.username))
            return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form, errors=errors,
                           units=_unit_options())


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    """One account: reset its password."""
    user = db.get_or_404(User, user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        reset_password(user, form.password.data)
        flash(_("The password of %(name)s was changed.", name=user.username))
        return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", user=user, form=form, confirm=ConfirmForm())


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    """Deactivate (``active=0``) or reactivate (``active=1``) an account."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        set_active(user, active, by=current_user)
    except AccountError as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(name)s can sign in again.", name=user.username) if active
              else _("%(name)s can no longer sign in.", name=user.username))
    return redirect(local_path(request.form.get("next")) or url_for("admin.users"))


# ----- campaigns --------------------------------------------------------------------------------


class CampaignForm(FlaskForm):
    slug = StringField(_l("Short name (in links)"), validators=[Length(max=80)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    starts = StringField(_l("First day"), validators=[DataRequired()])
    ends = StringField(_l("Last day"), validators=[DataRequired()])


@bp.get("/campaigns")
def campaigns():
    """The campaigns, latest first: each year's window of the national campaign."""
    return render_template("admin/campaigns.html", campaigns=list_campaigns())


@bp.route("/campaigns/new", methods=["GET", "POST"], defaults={"campaign_id": None})
@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
def campaign_edit(campaign_id: int | None):
    campaign = db.get_or_404(Campaign, campaign_id) if campaign_id is not None else None
    form = CampaignForm(obj=campaign)
    if request.method == "GET" and campaign is not None:
        form.starts.data, form.ends.data = campaign.starts.isoformat(), campaign.ends.isoformat()
    error = None
    if form.validate_on_submit():
        try:
            if campaign is None:
                saved = create_campaign(form.slug.data.strip(), form.name.data,
                                        form.starts.data, form.ends.data)
            else:
                saved = update_campaign(campaign, form.name.data, form.starts.data,
                                        form.ends.data)
        except CampaignError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash(_("Saved %(name)s.", name=saved.name))
            return redirect(url_for("admin.campaigns"))
    return render_template("admin/campaign_form.html", form=form, campaign=campaign, error=error)


# ----- the resources page -----------------------------------------------------------------------


class ResourceForm(FlaskForm):
    kind = RadioField(_l("What it is"), default="link",
                      choices=[SelectChoice("link", _l("A link to a web page")),
                               SelectChoice("file", _l("A file kept on this server"))])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    description = TextAreaField(_l("Description (optional)"),
                                validators=[Length(max=MAX_DESCRIPTION)])
    url = StringField(_l("Address"), validators=[Length(max=MAX_URL)])
    file = FileField(_l("File"))


def _resource_page(form: ResourceForm, resource: Resource | None, errors: dict):
    """The list and the form; a refused form comes back with its problems (200, like the other
    admin pages)."""
    items = resources_list()
    return render_template("admin/resources.html", form=form, resource=resource, errors=errors,
                           items=items, urls={r.id: resource_url(r) for r in items},
                           kind_label=resource_kind, size=human_size,
                           confirm=ConfirmForm(formdata=None),
                           max_mb=MAX_RESOURCE_BYTES // 2**20, accept=RESOURCE_ACCEPT,
                           long_url=LONG_URL)


@bp.route("/resources", methods=["GET", "POST"], defaults={"resource_id": None})
@bp.route("/resources/<int:resource_id>", methods=["GET", "POST"])
def resources(resource_id: int | None):
    """The materials in their order, and a form: a new one, or the one being changed."""
    resource = db.get_or_404(Resource, resource_id) if resource_id is not None else None
    request.max_content_length = MAX_RESOURCE_BYTES + 64 * 1024
    try:
        form = ResourceForm(obj=resource)
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = ResourceForm(formdata=None, obj=resource)
        return _resource_page(form, resource, {"file": resource_too_large()})
    if request.method == "GET" and resource is not None:
        form.kind.data = "file" if resource.file_name else "link"
    errors: dict[str, str] = {}
    if valid:
        upload = form.file.data
        data = (upload.read(MAX_RESOURCE_BYTES + 1), upload.filename or "") if upload else None
        try:
            saved = save_resource(resource, title=form.title.data,
                                  description=form.description.data, kind=form.kind.data,
                                  url=form.url.data, upload=data, user_id=current_user.id)
        except ResourceError as exc:
            db.session.rollback()
            errors[exc.field] = exc.message
        else:
            flash(_("Saved %(name)s.", name=saved.title))
            return redirect(url_for("admin.resources"))
    return _resource_page(form, resource, errors)


@bp.post("/resources/<int:resource_id>/move")
def resource_move(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    move_resource(resource, -1 if request.form.get("step") == "up" else 1)
    return redirect(url_for("admin.resources") + f"#resource-{resource.id}")


@bp.post("/resources/<int:resource_id>/delete")
def resource_delete(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = resource.title
    delete_resource(resource)
    flash(_("Removed %(name)s.", name=title))
    return redirect(url_for("admin.resources"))


# ----- settings: the support contact ------------------------------------------------------------


class SupportForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=MAX_SUPPORT_NAME)])
    unit = StringField(_l("Unit"), validators=[Length(max=MAX_SUPPORT_UNIT)])
    phone = StringField(_l("Phone number"), validators=[Length(max=MAX_SUPPORT_PHONE)])


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The support contact shown to presenters and school staff and printed on the reports."""
    form = SupportForm(data=support_values() if request.method == "GET" else None)
    errors: dict[str, str] = {}
    if request.method == "POST" and request.form.get("action") == "reset":
        if ConfirmForm().validate_on_submit():
            reset_support()
            flash(_("The support contact is the server's default again."))
            return redirect(url_for("admin.settings"))
        abort(400)
    if form.validate_on_submit():
        try:
            save_support(form.name.data, form.unit.data, form.phone.data)
        except SettingError as exc:
            errors[exc.field] = exc.message
        else:
            flash(_("Saved the support contact."))
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, errors=errors,
                           saved=support_is_saved(), defaults=support_from_environment(),
                           contact=support_contact(), confirm=ConfirmForm(formdata=None))
