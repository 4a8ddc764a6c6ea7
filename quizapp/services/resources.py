"""The campaign's materials on the resources page (``/resources``): links, and files uploaded by
an admin, each with its own QR code.

A link is an ``http`` or ``https`` address. A file is a PDF, a picture (PNG, JPEG, WebP, GIF) or
an office document (Word, Excel, PowerPoint: .docx/.xlsx/.pptx and the older .doc/.xls/.ppt;
OpenDocument .odt/.ods/.odp), at most ``MAX_FILE_BYTES``. Its bytes decide what it is, and its
name must agree: a program or a web page renamed ``.pdf`` is refused, and so is a document that
carries macros where they can be seen (an Office Open XML ``vbaProject.bin``, a
``_VBA_PROJECT`` stream in an older file, OpenDocument ``Basic/`` or ``Scripts/``). A file is
kept as uploaded, under ``resources/`` in the media folder (``services.media.media_dir``), named
by the hash of its bytes; it is served at ``/resources/<id>/file``, so a printed QR code keeps
working when the admin replaces the file with a newer version.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import url_for
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select

from ..extensions import db
from ..models import Resource
from .games import public_base_url
from .media import MAX_PIXELS, media_dir
from .settings import one_line

#: The largest file taken (bytes): a printed leaflet's PDF or a poster fits several times.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TITLE = 200
#: Descriptions are short: the printed sheet keeps four lines of each.
MAX_DESCRIPTION = 500
MAX_URL = 1000
#: Above this length an address makes a dense QR code, hard to scan from a printed sheet.
LONG_URL = 150

#: What is taken: the kind found in the bytes → (its names' extensions, MIME type, label).
KINDS: dict[str, tuple[tuple[str, ...], str, object]] = {
    "pdf": (("pdf",), "application/pdf", "PDF"),
    "png": (("png",), "image/png", "PNG"),
    "jpg": (("jpg", "jpeg"), "image/jpeg", "JPEG"),
    "webp": (("webp",), "image/webp", "WebP"),
    "gif": (("gif",), "image/gif", "GIF"),
    "docx": (("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "Word"),
    "xlsx": (("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "Excel"),
    "pptx": (("pptx",),
             "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             "PowerPoint"),
    "doc": (("doc",), "application/msword", "Word"),
    "xls": (("xls",), "application/vnd.ms-excel", "Excel"),
    "ppt": (("ppt",), "application/vnd.ms-powerpoint", "PowerPoint"),
    "odt": (("odt",), "application/vnd.oasis.opendocument.text", "OpenDocument"),
    "ods": (("ods",), "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument"),
    "odp": (("odp",), "application/vnd.oasis.opendocument.presentation", "OpenDocument"),
}
IMAGES = ("png", "jpg", "webp", "gif")
#: Shown in the browser (a pupil's phone opens them in place); the rest are downloaded.
INLINE = ("pdf",) + IMAGES
EXTENSIONS = {ext: kind for kind, (exts, _mime, _label) in KINDS.items() for ext in exts}
ACCEPT = ",".join("." + ext for ext in EXTENSIONS)
STORED_RE = re.compile(r"^[a-f0-9]{32}\.[a-z]{3,4}$")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODF_TYPES = {"application/vnd.oasis.opendocument.text": "odt",
             "application/vnd.oasis.opendocument.spreadsheet": "ods",
             "application/vnd.oasis.opendocument.presentation": "odp"}
OOXML_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx",
               "ppt/presentation.xml": "pptx"}


class ResourceError(ValueError):
    """Something not taken: ``field`` names the form field, ``message`` says why, ``status`` is
    the answer's HTTP status."""

    def __init__(self, field: str, message, status: int = 422):
        super().__init__(str(message))
        self.field = field
        self.message = str(message)
        self.status = status


@dataclass(frozen=True)
class StoredFile:
    name: str
    mimetype: str
    size: int
    original_name: str


# ----- links ------------------------------------------------------------------------------------


def check_url(value: object) -> str:
    """A link's address as stored: ``http`` or ``https``, with a host, no spaces."""
    url = str(value or "").strip()
    if not url:
        raise ResourceError("url", _l("Write the address of the material."))
    if len(url) > MAX_URL:
        raise ResourceError("url", _l("Use at most %(max)d characters.", max=MAX_URL))
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise ResourceError("url", _l("An address has no spaces."))
    try:
        parts = urlsplit(url)
        port = parts.port  # a bad port raises ValueError
    except ValueError:
        port, parts = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https"):
        raise ResourceError("url", _l("Only web addresses are taken: they start with https:// "
                                      "or http://."))
    if not parts.hostname or parts.username is not None or parts.password is not None \
            or port == 0 or "\\" in url:
        raise ResourceError("url", _l("This is not a complete web address (e.g. "
                                      "https://example.gov.vn/page)."))
    return url


# ----- files ------------------------------------------------------------------------------------


def _not_taken() -> ResourceError:
    return ResourceError("file", _l("This kind of file is not taken. Upload a PDF, a picture "
                                    "(PNG, JPEG, WebP, GIF) or an office document (Word, Excel, "
                                    "PowerPoint, OpenDocument)."))


def _macros() -> ResourceError:
    return ResourceError("file", _l("This document contains macros, which could run on the "
                                    "devices of those who open it. Save it without macros (as "
                                    ".docx, .xlsx or .pptx, or as a PDF) and upload it again."))


def too_large_message() -> str:
    return str(_l("The file is larger than %(mb)d MB.", mb=MAX_FILE_BYTES // 2**20))


def _extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff(data: bytes, filename: str) -> str:
    """The kind of an upload (a key of ``KINDS``), from its bytes, checked against its name; a
    ``ResourceError`` says why it is not taken."""
    claimed = EXTENSIONS.get(_extension(filename))
    if claimed is None:
        raise _not_taken()
    found = _kind_of(data, claimed)
    if found is None:
        raise ResourceError("file", _l("The file's content is not what its name says (%(ext)s). "
                                       "Upload the document itself, not a renamed file.",
                                       ext="." + _extension(filename)))
    if found != claimed and not (found in IMAGES and claimed in IMAGES):
        raise ResourceError("file", _l("The file's content is not what its name says (%(ext)s). "
                                       "Upload the document itself, not a renamed file.",
                                       ext="." + _extension(filename)))
    return found


def _kind_of(data: bytes, claimed: str) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf" if b"%%EOF" in data[-8192:] else None  # a truncated PDF is not taken
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(OLE2):
        if "_VBA_PROJECT".encode("utf-16-le") in data:  # Word's and Excel's macro projects
            raise _macros()
        # The old binary formats share one container; its streams name what it holds.
        streams = {"doc": "WordDocument", "xls": "Workbook", "ppt": "PowerPoint Document"}
        for kind, stream in streams.items():
            if stream.encode("utf-16-le") in data and kind == claimed:
                return kind
        if claimed == "xls" and "Book".encode("utf-16-le") in data:  # Excel 5/95
            return "xls"
        return None
    return _image_kind(data)


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # reads the directory, inflates nothing
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" in names:
                if any(n.lower().endswith("vbaproject.bin") for n in names):
                    raise _macros()
                kinds = {kind for part, kind in OOXML_PARTS.items() if part in names}
                return kinds.pop() if len(kinds) == 1 else None
            first = infos[0] if infos else None
            if first is not None and first.filename == "mimetype" and first.file_size < 100:
                kind = ODF_TYPES.get(archive.read(first).decode("ascii", "replace").strip())
                if kind and any(n.startswith(("Basic/", "Scripts/")) for n in names):
                    raise _macros()
                return kind
    except ResourceError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return None
    return None


def _image_kind(data: bytes) -> str | None:
    formats = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=tuple(formats)) as image:
                width, height = image.size
                if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                    raise ResourceError("file", _l(
                        "The picture has too many pixels (at most %(mp)d megapixels). Make it "
                        "smaller and upload it again.", mp=MAX_PIXELS // 1_000_000))
                kind = formats[image.format]
                image.verify()  # reads the whole file, decodes nothing
                return kind
        except ResourceError:
            raise
        except (UnidentifiedImageError, Image.DecompressionBombError,
                Image.DecompressionBombWarning):
            return None
        except Exception:  # noqa: BLE001  a damaged picture: whatever its reader raises
            return None


def original_name(filename: object, kind: str) -> str:
    """The uploaded file's own name (no folder, one line, at most 255 characters), ending with
    the extension of what it really is."""
    name = one_line(str(filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(". ")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    ext = _extension(name) if EXTENSIONS.get(_extension(name)) == kind else KINDS[kind][0][0]
    return (stem or "file")[:250 - len(ext)] + "." + ext


def resource_dir() -> Path:
    folder = media_dir() / "resources"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_file(data: bytes, filename: str) -> StoredFile:
    """Check an upload and keep it; ``ResourceError`` says why not."""
    if len(data) > MAX_FILE_BYTES:
        raise ResourceError("file", too_large_message(), 413)
    if not data:
        raise ResourceError("file", _l("The file is empty."))
    kind = sniff(data, filename)
    name = hashlib.sha256(data).hexdigest()[:32] + "." + KINDS[kind][0][0]
    target = resource_dir() / name
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return StoredFile(name, KINDS[kind][1], len(data), original_name(filename, kind))


def file_path(resource: Resource) -> Path | None:
    """A file resource's stored file, or None (a link, or a name that is not one of ours)."""
    name = resource.file_name
    if not name or not STORED_RE.match(name):
        return None
    path = resource_dir() / name
    return path if path.is_file() else None


def kind_label(resource: Resource) -> str:
    for _exts, mime, label in KINDS.values():
        if mime == resource.mimetype:
            return str(label)
    return ""


def is_inline(resource: Resource) -> bool:
    return any(KINDS[k][1] == resource.mimetype for k in INLINE)


def _drop_file(name: str | None, keep: Resource | None = None) -> None:
    """Delete a stored file no other resource uses."""
    if not name or not STORED_RE.match(name):
        return
    query = select(func.count(Resource.id)).where(Resource.file_name == name)
    if keep is not None and keep.id is not None:
        query = query.where(Resource.id != keep.id)
    if not db.session.scalar(query):
        (resource_dir() / name).unlink(missing_ok=True)


# ----- the list ---------------------------------------------------------------------------------


def resources() -> list[Resource]:
    return list(db.session.scalars(select(Resource).order_by(Resource.position, Resource.id)))


def save_resource(resource: Resource | None, *, title: object, description: object,
                  kind: str, url: object = None, upload: tuple[bytes, str] | None = None,
                  user_id: int | None = None) -> Resource:
    """Create (``resource`` None) or change a link (``kind="link"``, ``url``) or a file
    (``kind="file"``, ``upload`` = its bytes and name; optional when changing a file that has
    one). Nothing changes when something is not right."""
    title_text = one_line(title)
    if not title_text:
        raise ResourceError("title", _l("Fill in this field."))
    if len(title_text) > MAX_TITLE:
        raise ResourceError("title", _l("Use at most %(max)d characters.", max=MAX_TITLE))
    text = "\n".join(one_line(line) for line in str(description or "").splitlines()).strip()
    if len(text) > MAX_DESCRIPTION:
        raise ResourceError("description", _l("Use at most %(max)d characters.",
                                              max=MAX_DESCRIPTION))
    stored, address = None, None
    if kind == "link":
        address = check_url(url)
    elif kind == "file":
        if upload is not None and (upload[0] or upload[1]):
            stored = store_file(*upload)
        elif resource is None or not resource.file_name:
            raise ResourceError("file", _l("Choose a file."))
    else:
        raise ResourceError("kind", _l("Choose a link or a file."))
    old_file = resource.file_name if resource is not None else None
    if resource is None:
        last = db.session.scalar(select(func.max(Resource.position)))
        resource = Resource(position=(last + 1) if last is not None else 0, created_by_id=user_id)
        db.session.add(resource)
    resource.title, resource.description = title_text, text
    if kind == "link":
        resource.url, resource.file_name = address, None
        resource.original_name, resource.mimetype, resource.size = "", "", 0
    elif stored is not None:
        resource.url, resource.file_name = None, stored.name
        resource.original_name, resource.mimetype = stored.original_name, stored.mimetype
        resource.size = stored.size
    db.session.flush()
    if old_file and old_file != resource.file_name:
        _drop_file(old_file, keep=resource)
    db.session.commit()
    return resource


def delete_resource(resource: Resource) -> None:
    name = resource.file_name
    db.session.delete(resource)
    db.session.flush()
    _drop_file(name)
    db.session.commit()


def move_resource(resource: Resource, step: int) -> bool:
    """Move one place up (``step`` -1) or down (+1); False at either end."""
    items = resources()
    index = next(i for i, r in enumerate(items) if r.id == resource.id)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items):
        item.position = position
    db.session.commit()
    return True


# ----- addresses and QR codes -------------------------------------------------------------------


def target_url(resource: Resource) -> str:
    """What the resource's QR code holds: the link, or the file's public address here."""
    if resource.file_name:
        return public_base_url() + url_for("resources.download", resource_id=resource.id)
    return resource.url or ""


@lru_cache(maxsize=512)
def human_size(size: int) -> str:
    """A file's size in the reader's number format ("1,5 MB" in Vietnamese)."""
    if size >= 1024 * 1024:
        return format_decimal(round(size / 1024 / 1024, 1), "#,##0.#") + " MB"
    return format_decimal(max(1, round(size / 1024)), "#,##0") + " KB"
