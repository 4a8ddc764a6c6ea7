"""Pictures shown with a question: an upload is checked, made small and stored under a name
that is the hash of what is stored.

An upload must be a real PNG, JPEG, WebP or GIF (its bytes, not its name, decide), at most
``MAX_UPLOAD`` bytes and ``MAX_PIXELS`` pixels (a small file that unpacks into a huge picture, a
"decompression bomb", is refused before it is unpacked). What is stored is the picture turned
the way the camera's EXIF orientation says, without any metadata (no location, no camera, no
comment), fitted into ``MAX_SIZE`` and re-encoded as WebP: a phone's photo of several MB becomes a
few tens of KB. The file's name is the first 32 hex digits of the SHA-256 of the stored bytes
(``engine.questions.IMAGE_RE``), so the same picture is stored once and a name never changes
meaning: it may be cached for a year.

The folder is ``MEDIA_DIR`` if set, else ``media`` in the instance folder.
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from ..engine.questions import IMAGE_RE

#: The largest upload taken (bytes).
MAX_UPLOAD = 5 * 1024 * 1024
#: The largest picture taken, in pixels (a 40-megapixel photo); more is refused unopened.
MAX_PIXELS = 40_000_000
#: What a stored picture fits into (a phone's screen, the projector's question).
MAX_SIZE = (800, 600)
#: WebP's quality, and the lower one used when a detailed picture comes out above
#: ``TARGET_BYTES`` at the first (text in a photo stays readable at both).
WEBP_QUALITY = 70
WEBP_QUALITY_DETAILED = 55
TARGET_BYTES = 60 * 1024
FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
MIMETYPES = {"webp": "image/webp", "png": "image/png", "jpg": "image/jpeg"}


class MediaError(ValueError):
    """An upload that is not taken: ``message`` for the person, ``status`` for the answer."""

    def __init__(self, message, status: int = 422):
        super().__init__(str(message))
        self.message = str(message)
        self.status = status


@dataclass(frozen=True)
class Stored:
    name: str
    width: int
    height: int
    size: int


def media_dir() -> Path:
    """The folder of stored pictures (created when missing)."""
    configured = current_app.config.get("MEDIA_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "media"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def media_path(name: object) -> Path | None:
    """The stored file called ``name``, or None when the name is not one of ours (nothing from
    outside the folder: the name must be ``<32 hex digits>.<webp|png|jpg>``) or not there."""
    if not isinstance(name, str) or not IMAGE_RE.match(name):
        return None
    path = media_dir() / name
    return path if path.is_file() else None


def too_large_message() -> str:
    return str(_l("The picture is larger than %(mb)d MB.", mb=MAX_UPLOAD // 2**20))


def store_image(data: bytes) -> Stored:
    """Check, shrink, strip and store an uploaded picture; ``MediaError`` says why not."""
    if len(data) > MAX_UPLOAD:
        raise MediaError(too_large_message(), 413)
    if not data:
        raise MediaError(_l("The file is empty."))
    encoded, width, height = _reencode(data)
    name = hashlib.sha256(encoded).hexdigest()[:32] + ".webp"
    target = media_dir() / name
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(encoded)
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from a web server in front
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return Stored(name, width, height, len(encoded))


def _not_a_picture() -> MediaError:
    return MediaError(_l("This file is not a picture. Upload a photo or an image in PNG, JPEG, "
                         "WebP or GIF."))


def _reencode(data: bytes) -> tuple[bytes, int, int]:
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice its limit: make that an error too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
                _check_pixels(probe.size)
                probe.verify()  # the whole file is read and checked, nothing is decoded
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                _check_pixels(image.size)
                if image.format == "JPEG":  # decode at a fraction of the size: far less memory
                    image.draft("RGB", (MAX_SIZE[0] * 2, MAX_SIZE[1] * 2))
                image.load()
                picture = ImageOps.exif_transpose(image)
                has_alpha = picture.mode in ("RGBA", "LA", "PA") or (
                    picture.mode == "P" and "transparency" in picture.info)
                picture = picture.convert("RGBA" if has_alpha else "RGB")
        except MediaError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb() from None
        except UnidentifiedImageError:
            raise _not_a_picture() from None
        except Exception as exc:  # noqa: BLE001  verify(), load() and the EXIF of a damaged file
            # raise OSError, SyntaxError, ValueError, struct.error… whatever the format's reader
            raise MediaError(_l("The picture is damaged or incomplete; export it again and "
                                "upload it.")) from exc
    picture.thumbnail(MAX_SIZE, Image.Resampling.LANCZOS)
    encoded = _webp(picture, WEBP_QUALITY)
    if len(encoded) > TARGET_BYTES:
        encoded = min(encoded, _webp(picture, WEBP_QUALITY_DETAILED), key=len)
    return encoded, picture.width, picture.height


def _webp(picture: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    picture.save(out, "WEBP", quality=quality, method=6)  # no exif, no icc, no xmp
    return out.getvalue()


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise _not_a_picture()
    if width * height > MAX_PIXELS:
        raise _bomb()


def _bomb() -> MediaError:
    return MediaError(_l("The picture has too many pixels (at most %(mp)d megapixels). Make it "
                         "smaller and upload it again.", mp=MAX_PIXELS // 1_000_000))
