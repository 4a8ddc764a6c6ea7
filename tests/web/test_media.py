"""Pictures for questions: an upload is a real picture or nothing, made small, turned upright,
stripped of its metadata and stored under the hash of what is stored; ``/media/<name>`` serves
only such names."""
from __future__ import annotations

import io
import random
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from quizapp.services import media

NAME = re.compile(r"^[0-9a-f]{32}\.webp$")


@pytest.fixture
def presenter(app, make):
    client = app.test_client()
    make.login(client, make.user("presenter"))
    client.get("/lang/en")
    return client


def upload(client, data: bytes, filename: str = "photo.jpg"):
    """The multipart body written here: the test client would spool a large one to a file it
    never closes."""
    body = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="' + filename.encode()
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + data + b"\r\n--x--\r\n")
    return client.post("/quizzes/media", data=body, content_type="multipart/form-data; boundary=x")


def photo(width: int = 4000, height: int = 3000, exif: Image.Exif | None = None) -> bytes:
    """A JPEG that weighs and compresses like a phone's photo: a sky, hills, shapes, and
    texture everywhere (leaves, grain) that survives the shrinking."""
    rng = random.Random(7)
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for y in range(0, height, 4):
        shade = int(120 + 100 * y / height)
        draw.rectangle([0, y, width, y + 4], fill=(shade // 2, shade - 20, 235 - shade // 3))
    for _ in range(60):
        x, y, r = rng.randrange(width), rng.randrange(height // 3, height), rng.randrange(40, 500)
        draw.ellipse([x - r, y - r // 2, x + r, y + r // 2],
                     fill=(rng.randrange(30, 120), rng.randrange(80, 180), rng.randrange(20, 90)))
    texture = Image.merge("RGB", [Image.effect_noise((max(1, width // 5), max(1, height // 5)), 60)
                                  .resize((width, height), Image.Resampling.BICUBIC)
                                  for _ in range(3)])
    img = Image.blend(img, texture, 0.3)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def stored_file(app, name: str) -> Path:
    return Path(app.instance_path) / "media" / name


def test_a_phone_photo_is_turned_upright_shrunk_stripped_and_stored_by_its_hash(app, presenter):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was held upright (rotate 90°)
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x9286] = "taken at home"  # user comment
    data = photo(exif=exif)
    assert len(data) > 2_000_000  # a 12-megapixel photo of 2.6 MB
    response = upload(presenter, data)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert NAME.match(body["name"]) and body["url"] == f"/media/{body['name']}"
    assert (body["width"], body["height"]) == (450, 600)  # 3000×4000 upright, fitted in 800×600
    path = stored_file(app, body["name"])
    stored = path.read_bytes()
    assert len(stored) == body["bytes"] <= 60 * 1024, len(stored)
    import hashlib
    assert hashlib.sha256(stored).hexdigest()[:32] + ".webp" == body["name"]
    with Image.open(path) as img:
        assert img.format == "WEBP" and img.size == (450, 600)
        assert not img.getexif() and "exif" not in img.info and "icc_profile" not in img.info
    assert b"PhoneMaker" not in stored and b"taken at home" not in stored
    # the same picture again: the same name, stored once
    again = upload(presenter, data).get_json()
    assert again["name"] == body["name"]
    assert len(list(path.parent.iterdir())) == 1

    served = presenter.get(body["url"])
    assert served.status_code == 200 and served.data == stored
    served.close()
    assert served.headers["Content-Type"] == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    cache = served.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    # phones and projectors are not signed in
    anonymous = app.test_client().get(body["url"])
    anonymous.close()
    assert anonymous.status_code == 200
    # a browser that has it: nothing sent again
    cached = app.test_client().get(body["url"], headers={"If-None-Match": served.headers["ETag"]})
    cached.close()
    assert cached.status_code == 304


def test_a_png_with_transparency_keeps_it_and_a_small_picture_is_not_enlarged(app, presenter):
    img = Image.new("RGBA", (1600, 400), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse([100, 50, 700, 350], fill=(214, 40, 57, 255))
    out = io.BytesIO()
    img.save(out, "PNG")
    body = upload(presenter, out.getvalue(), "sign.png").get_json()
    with Image.open(stored_file(app, body["name"])) as shrunk:
        assert shrunk.size == (800, 200) and shrunk.mode == "RGBA"
        assert shrunk.getpixel((5, 5))[3] == 0 and shrunk.getpixel((200, 100))[3] == 255
    small = io.BytesIO()
    Image.new("P", (120, 90), 3).save(small, "GIF")
    body = upload(presenter, small.getvalue(), "tiny.gif").get_json()
    assert (body["width"], body["height"]) == (120, 90)


@pytest.mark.parametrize("data, filename, words", [
    (b"Just some notes, not a picture.\n" * 20, "notes.png", "not a picture"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "a.svg",
     "not a picture"),
    (b"%PDF-1.4\n" + b"0" * 500, "scan.jpg", "not a picture"),
    (b"", "empty.png", "empty"),
])
def test_what_is_not_a_picture_is_refused_with_a_reason(app, presenter, data, filename, words):
    response = upload(presenter, data, filename)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_image" and words in body["message"].lower()
    assert not (Path(app.instance_path) / "media").exists() or \
        not list((Path(app.instance_path) / "media").iterdir())


def test_a_damaged_picture_is_refused(presenter):
    data = photo(800, 600)
    response = upload(presenter, data[: len(data) // 2])
    assert response.status_code == 422 and "damaged" in response.get_json()["message"]


def test_a_file_over_the_limit_is_refused(app, presenter):
    data = photo(800, 600) + b"\0" * (media.MAX_UPLOAD + 1)
    response = upload(presenter, data)
    assert response.status_code == 413
    body = response.get_json()
    assert body["error"] == "too_large" and "larger than 5 MB" in body["message"]
    with app.app_context(), pytest.raises(media.MediaError) as exc:
        media.store_image(b"\xff" * (media.MAX_UPLOAD + 1))
    assert exc.value.status == 413


def png_bomb(width: int, height: int) -> bytes:
    """A valid PNG of ``width`` × ``height`` black pixels (1 bit each): a few KB that unpack into
    hundreds of MB."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\0" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def test_a_decompression_bomb_is_refused_before_it_is_unpacked(app, presenter):
    bomb = png_bomb(30000, 30000)  # 900 megapixels
    assert len(bomb) < media.MAX_UPLOAD
    response = upload(presenter, bomb, "bomb.png")
    assert response.status_code == 422
    assert "too many pixels" in response.get_json()["message"]
    # just over the app's own limit, and under Pillow's: refused all the same
    response = upload(presenter, png_bomb(8000, 5001), "big.png")
    assert response.status_code == 422 and "megapixels" in response.get_json()["message"]


def test_only_presenters_and_admins_upload(app, make):
    data = photo(400, 300)
    anonymous = app.test_client()
    assert upload(anonymous, data).status_code == 401
    staff = app.test_client()
    make.login(staff, make.user("staff", school="DEMO"))
    assert upload(staff, data).status_code == 403
    admin = app.test_client()
    make.login(admin, make.user("admin"))
    assert upload(admin, data).status_code == 201
    assert admin.post("/quizzes/media", data={}).status_code == 400


@pytest.mark.parametrize("path", [
    "/media/../secret_key", "/media/..%2Fsecret_key", "/media/%2e%2e%2fsecret_key",
    "/media/..%5Csecret_key", "/media/secret_key", "/media/" + "0" * 32 + ".webp",
    "/media/" + "A" * 32 + ".webp", "/media/" + "0" * 32 + ".html", "/media/notes.html",
    "/media/" + "0" * 32 + ".webp/../../secret_key",
])
def test_media_serves_nothing_but_stored_pictures(app, path):
    with app.app_context():
        folder = media.media_dir()
    (folder / "notes.html").write_text("<script>alert(1)</script>")
    (folder / ("0" * 32 + ".html")).write_text("<script>alert(1)</script>")
    assert (Path(app.instance_path) / "secret_key").exists() or app.config["SECRET_KEY"]
    response = app.test_client().get(path)
    assert response.status_code == 404, path
    assert b"alert" not in response.data and b"test-secret" not in response.data


def test_the_phone_and_the_projector_get_the_pictures_address(app, make, presenter):
    body = upload(presenter, photo(1200, 900)).get_json()
    quiz = {"title": "Ảnh", "language": "vi", "questions": [
        {"type": "single", "text": "Đây là tin nhắn lừa đảo?", "choices": ["Có", "Không"],
         "correct": [0], "image": body["name"]}]}
    response = presenter.post("/quizzes/save", json={"quiz": quiz})
    assert response.status_code == 201, response.get_json()
    slug = response.get_json()["slug"]
    preview = presenter.get(f"/quizzes/{slug}/preview").get_data(as_text=True)
    assert f'"image": "/media/{body["name"]}"' in preview
    from quizapp.engine.questions import Question
    from quizapp.extensions import db
    from quizapp.models import Quiz
    with app.app_context():
        stored = db.session.query(Quiz).filter_by(slug=slug).one().questions[0]
    assert stored["image"] == body["name"]
    assert Question.from_dict(stored).public(0, 1)["image"] == f"/media/{body['name']}"
