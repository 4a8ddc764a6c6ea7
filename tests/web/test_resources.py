"""The resources page: admins add, change, reorder and remove the campaign's materials (links and
files) at /admin/resources; the public page /resources lists them, each with a QR code that
decodes to the right address; files are checked by their bytes, size-limited and served with
their own type, a safe Content-Disposition and nosniff."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Resource
from quizapp.services import resources as service
from quizapp.services.resources import MAX_FILE_BYTES, resource_dir

PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
       b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")
ORIGIN = "http://localhost"


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()


def office_zip(parts: dict[str, bytes], first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if first:
            archive.writestr(first, parts.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bytes(**extra: bytes) -> bytes:
    return office_zip({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>",
                       "word/document.xml": b"<w:document/>", **extra})


def odt_bytes() -> bytes:
    return office_zip({"mimetype": b"application/vnd.oasis.opendocument.text",
                       "content.xml": b"<office:document-content/>"}, first="mimetype")


def decode_svg(svg: str) -> str:
    """Draw the SVG QR code the page holds (a viewBox, one path of ``M x y h w v1 h-w z`` runs)
    into a picture and read it back with zxing-cpp."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path)
    assert "".join(f"M{x} {y}h{w}v1h-{w}z" for x, y, w in runs) == path, "unexpected path"
    for x, y, w in runs:
        x, y, w = int(x), int(y), int(w)
        draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + 1) * scale - 1], fill=0)
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, found
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


def public_items(html: str) -> list[dict]:
    """The public page's items: title, printed URL and what its QR code decodes to."""
    items = []
    for block in re.findall(r'<li class="res-item".*?</li>', html, re.S):
        items.append({
            "title": re.search(r'<h2 class="res-title"><a href="[^"]*"[^>]*>(.*?)</a>', block,
                               re.S).group(1),
            "href": re.search(r'<h2 class="res-title"><a href="([^"]*)"', block).group(1),
            "printed": re.search(r'<p class="res-url">(.*?)</p>', block, re.S).group(1),
            "qr": decode_svg(re.search(r"<svg.*?</svg>", block, re.S).group(0)),
        })
    return items


def all_resources(app) -> list[Resource]:
    with app.app_context():
        rows = list(db.session.scalars(select(Resource).order_by(Resource.position)))
        db.session.expunge_all()
        return rows


def stored_files(app) -> set[str]:
    with app.app_context():
        return {p.name for p in resource_dir().iterdir() if p.is_file()}


@pytest.fixture
def clients(app, make):
    clients = {"anonymous": app.test_client()}
    for role in ("admin", "viewer", "presenter", "staff"):
        client = app.test_client()
        client.set_cookie("lang", "en")
        make.login(client, make.user(role, school="DEMO" if role == "staff" else None))
        clients[role] = client
    clients["anonymous"].set_cookie("lang", "en")
    return clients


@pytest.fixture
def admin(clients):
    return clients["admin"]


def add_link(admin, title="Leaflet", url="https://khongmotminh.gov.vn/to-roi", description=""):
    return admin.post("/admin/resources", data={"kind": "link", "title": title, "url": url,
                                                "description": description})


def add_file(admin, data: bytes, filename: str, title="Poster", path="/admin/resources"):
    """A multipart body written here (the test client would spool a big one to a temporary file
    it never closes)."""
    fields = {"kind": "file", "title": title, "description": ""}
    body = b"".join(f'--x\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                    .encode() for k, v in fields.items())
    body += (f'--x\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n--x--\r\n"
    return admin.post(path, data=body, content_type="multipart/form-data; boundary=x")


def fetch(client, url: str):
    """GET a file: its status, headers and bytes, the response closed."""
    response = client.get(url)
    try:
        return response.status_code, response.headers, response.get_data()
    finally:
        response.close()


# ----- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role, status", [("viewer", 403), ("presenter", 403), ("staff", 403),
                                          ("anonymous", 302)])
def test_only_admins_manage_resources(app, clients, role, status):
    assert add_link(clients["admin"]).status_code == 302
    rid = all_resources(app)[0].id
    client = clients[role]
    wrong = []
    for url in ("/admin/resources", f"/admin/resources/{rid}", "/admin/settings"):
        response = client.get(url)
        if response.status_code != status:
            wrong.append((url, response.status_code))
    posts = {"/admin/resources": {"kind": "link", "title": "Mine", "url": "https://a.example"},
             f"/admin/resources/{rid}": {"kind": "link", "title": "Changed",
                                         "url": "https://b.example"},
             f"/admin/resources/{rid}/move": {"step": "down"},
             f"/admin/resources/{rid}/delete": {},
             "/admin/settings": {"name": "X", "unit": "", "phone": "113"}}
    for url, data in posts.items():
        response = client.post(url, data=data)
        if response.status_code != status:
            wrong.append(("POST " + url, response.status_code))
        if status == 302 and "/login" not in response.headers.get("Location", ""):
            wrong.append(("POST " + url, response.headers.get("Location")))
    assert not wrong, wrong
    assert [(r.title, r.url) for r in all_resources(app)] == [
        ("Leaflet", "https://khongmotminh.gov.vn/to-roi")]
    # while the public page needs no sign-in
    assert clients["anonymous"].get("/resources/").status_code == 200


def test_the_admin_area_links_its_new_pages(admin):
    page = admin.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/resources"' in page and 'href="/admin/settings"' in page


# ----- links ------------------------------------------------------------------------------------


def test_links_are_added_changed_reordered_and_removed(app, admin, clients):
    for n, title in enumerate(["First", "Second", "Third"]):
        response = add_link(admin, title, f"https://example.gov.vn/{n}", f"About {title}.")
        assert response.status_code == 302 and response.headers["Location"] == "/admin/resources"
    items = all_resources(app)
    assert [r.title for r in items] == ["First", "Second", "Third"]
    assert items[0].description == "About First." and items[0].file_name is None
    listing = admin.get("/admin/resources").get_data(as_text=True)
    assert listing.index("First") < listing.index("Second") < listing.index("Third")

    # change the second
    second = items[1].id
    form = admin.get(f"/admin/resources/{second}").get_data(as_text=True)
    assert 'value="https://example.gov.vn/1"' in form
    assert re.search(r'<input checked[^>]* value="link"', form)
    assert admin.post(f"/admin/resources/{second}", data={
        "kind": "link", "title": "Second, better", "url": "http://example.gov.vn/new",
        "description": "Line one\nLine two"}).status_code == 302
    changed = {r.id: r for r in all_resources(app)}[second]
    assert (changed.title, changed.url, changed.description) == (
        "Second, better", "http://example.gov.vn/new", "Line one\nLine two")

    # reorder: the third up twice, then the first down once
    third = items[2].id
    for _ in range(2):
        assert admin.post(f"/admin/resources/{third}/move", data={"step": "up"}).status_code == 302
    assert [r.title for r in all_resources(app)] == ["Third", "First", "Second, better"]
    admin.post(f"/admin/resources/{third}/move", data={"step": "up"})  # already first
    admin.post(f"/admin/resources/{items[0].id}/move", data={"step": "down"})
    assert [r.title for r in all_resources(app)] == ["Third", "Second, better", "First"]
    public = public_items(clients["anonymous"].get("/resources/").get_data(as_text=True))
    assert [i["title"] for i in public] == ["Third", "Second, better", "First"]

    # remove one
    response = admin.post(f"/admin/resources/{second}/delete")
    assert response.status_code == 302
    assert [r.title for r in all_resources(app)] == ["Third", "First"]
    assert "Removed Second, better." in admin.get("/admin/resources").get_data(as_text=True)
    assert admin.get(f"/admin/resources/{second}").status_code == 404
    assert admin.post(f"/admin/resources/{second}/delete").status_code == 404


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(document.cookie)", "data:text/html,<script>x</script>",
    "ftp://example.gov.vn/file.pdf", "file:///etc/passwd", "vbscript:msgbox", "example.gov.vn",
    "//example.gov.vn/x", "https://", "http:///path", "https://exa mple.gov.vn",
    "https://user:secret@example.gov.vn/", "https://example.gov.vn:99999/", "",
    "https://example.gov.vn/\nSet-Cookie:x", "https://example.gov.vn/" + "a" * 1000])
def test_only_web_addresses_are_taken(app, admin, url):
    response = add_link(admin, url=url)
    assert response.status_code == 200  # the form again, with its problem
    page = response.get_data(as_text=True)
    assert 'class="field-error"' in page
    assert all_resources(app) == []


def test_a_title_is_needed_and_lengths_are_limited(app, admin):
    for response in (add_link(admin, title="  "), add_link(admin, title="T" * 201),
                     add_link(admin, description="d" * 501)):
        assert response.status_code == 200 and b'class="field-error"' in response.data
    assert all_resources(app) == []
    assert add_link(admin, title="T" * 200, description="d" * 500).status_code == 302
    assert len(all_resources(app)) == 1


# ----- files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("filename, data, mimetype, disposition", [
    ("Tờ rơi 2025.pdf", PDF, "application/pdf", "inline"),
    ("poster.png", png_bytes(), "image/png", "inline"),
    ("Kế hoạch.docx", docx_bytes(),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "attachment"),
    ("bai-giang.odt", odt_bytes(), "application/vnd.oasis.opendocument.text", "attachment"),
])
def test_files_are_stored_and_served_safely(app, admin, clients, filename, data, mimetype,
                                             disposition):
    response = add_file(admin, data, filename)
    assert response.status_code == 302, response.get_data(as_text=True)
    [row] = all_resources(app)
    assert row.url is None and row.mimetype == mimetype and row.size == len(data)
    assert row.original_name == filename
    assert stored_files(app) == {row.file_name}
    with app.app_context():
        assert (resource_dir() / row.file_name).read_bytes() == data
        assert str(resource_dir()).startswith(app.instance_path)  # under the instance folder

    status, headers, body = fetch(clients["anonymous"], f"/resources/{row.id}/file")
    assert status == 200 and body == data
    assert headers["Content-Type"].split(";")[0] == mimetype
    assert headers["X-Content-Type-Options"] == "nosniff"
    header = headers["Content-Disposition"]
    assert header.startswith(disposition + ";")
    assert "\n" not in header and "\r" not in header
    if filename.isascii():
        assert f"filename={filename}" in header
    else:
        assert "filename*=UTF-8''" in header  # RFC 5987, the Vietnamese name kept

    [item] = public_items(clients["anonymous"].get("/resources/").get_data(as_text=True))
    assert item["qr"] == item["printed"] == item["href"] == f"{ORIGIN}/resources/{row.id}/file"


def test_a_file_replaced_keeps_its_qr_code_and_the_old_file_goes(app, admin, clients):
    add_file(admin, PDF, "v1.pdf")
    [row] = all_resources(app)
    first_file = row.file_name
    page = clients["anonymous"].get("/resources/").get_data(as_text=True)
    before = public_items(page)[0]["qr"]
    # changing the title only keeps the file
    assert admin.post(f"/admin/resources/{row.id}", data={
        "kind": "file", "title": "Renamed", "description": ""}).status_code == 302
    assert all_resources(app)[0].file_name == first_file
    newer = PDF.replace(b"1.4", b"1.7")
    assert add_file(admin, newer, "v2.pdf", "Poster v2",
                    path=f"/admin/resources/{row.id}").status_code == 302
    [row] = all_resources(app)
    assert row.original_name == "v2.pdf" and row.file_name != first_file
    assert stored_files(app) == {row.file_name}
    assert public_items(clients["anonymous"].get("/resources/").get_data(as_text=True))[0][
        "qr"] == before
    assert fetch(clients["anonymous"], f"/resources/{row.id}/file")[2] == newer
    # a file made a link: its file goes; removing the link leaves nothing
    assert admin.post(f"/admin/resources/{row.id}", data={
        "kind": "link", "title": "Now a link", "url": "https://example.gov.vn/"}).status_code == 302
    assert stored_files(app) == set()
    assert clients["anonymous"].get(f"/resources/{row.id}/file").status_code == 404
    add_file(admin, PDF, "again.pdf")
    [_, again] = all_resources(app)
    admin.post(f"/admin/resources/{again.id}/delete")
    assert stored_files(app) == set()
    assert clients["anonymous"].get(f"/resources/{again.id}/file").status_code == 404


def test_the_same_file_twice_is_kept_until_its_last_use(app, admin):
    add_file(admin, PDF, "a.pdf", "A")
    add_file(admin, PDF, "b.pdf", "B")
    first, second = all_resources(app)
    assert first.file_name == second.file_name
    admin.post(f"/admin/resources/{first.id}/delete")
    assert stored_files(app) == {second.file_name}
    admin.post(f"/admin/resources/{second.id}/delete")
    assert stored_files(app) == set()


def test_a_file_item_needs_a_file(app, admin):
    response = admin.post("/admin/resources", content_type="multipart/form-data",
                          data={"kind": "file", "title": "Nothing", "description": ""})
    assert response.status_code == 200 and "Choose a file." in response.get_data(as_text=True)
    assert all_resources(app) == []


@pytest.mark.parametrize("filename, data", [
    ("leaflet.pdf", b"<!doctype html><script>alert(1)</script>"),       # a web page renamed
    ("leaflet.pdf", b"MZ\x90\x00" + bytes(200)),                         # a program renamed
    ("setup.exe", b"MZ\x90\x00" + bytes(200)),                           # a program
    ("page.html", b"<html><body>hi</body></html>"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("poster.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
    ("plan.docx", office_zip({"readme.txt": b"just a zip"})),            # a zip renamed
    ("plan.docx", PDF),                                                  # a PDF renamed
    ("leaflet.pdf", docx_bytes()),                                       # a document renamed
    ("plan.xlsx", docx_bytes()),                                         # Word called Excel
    ("leaflet.pdf", PDF[:40]),                                           # cut short
    ("poster.png", png_bytes()[:30]),                                    # a damaged picture
    ("noextension", PDF),
    ("macro.docx", docx_bytes(**{"word/vbaProject.bin": b"\x00" * 64})),  # macros
    ("macro.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le")
     + "_VBA_PROJECT".encode("utf-16-le") + bytes(64)),
    ("empty.pdf", b""),
])
def test_what_is_not_a_document_is_refused(app, admin, filename, data):
    response = add_file(admin, data, filename)
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    assert 'class="field-error"' in page
    assert all_resources(app) == [] and stored_files(app) == set()


def test_a_picture_named_as_another_picture_is_taken_as_what_it_is(app, admin, clients):
    assert add_file(admin, png_bytes(), "photo.jpg").status_code == 302
    [row] = all_resources(app)
    assert row.mimetype == "image/png" and row.original_name == "photo.png"
    assert row.file_name.endswith(".png")


def test_an_old_word_document_is_taken(app, admin):
    doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100) + "WordDocument".encode("utf-16-le")
    assert add_file(admin, doc + bytes(400), "cong-van.doc").status_code == 302
    assert all_resources(app)[0].mimetype == "application/msword"


def test_a_file_over_the_limit_is_refused(app, admin):
    just_over = PDF[:-6] + b" " * (MAX_FILE_BYTES + 1 - len(PDF)) + b"%%EOF\n"
    assert len(just_over) == MAX_FILE_BYTES + 1
    response = add_file(admin, just_over, "big.pdf")
    assert response.status_code == 200
    assert "larger than 20 MB" in response.get_data(as_text=True)
    far_over = just_over + b" " * (200 * 1024)  # above the request's limit itself
    response = add_file(admin, far_over, "bigger.pdf")
    assert response.status_code == 200
    assert "larger than 20 MB" in response.get_data(as_text=True)
    assert all_resources(app) == [] and stored_files(app) == set()
    at_limit = PDF[:-6] + b" " * (MAX_FILE_BYTES - len(PDF)) + b"%%EOF\n"
    assert add_file(admin, at_limit, "fits.pdf").status_code == 302


def test_unknown_files_are_not_found(app, clients):
    assert clients["anonymous"].get("/resources/99/file").status_code == 404
    assert clients["anonymous"].get("/resources/99/qr.svg").status_code == 404


# ----- the public page --------------------------------------------------------------------------


def test_the_public_page_lists_every_material_with_a_qr_code_of_its_address(app, admin, clients):
    links = [("Video: the fake police officer", "https://www.youtube.com/watch?v=abc123"),
             ("Bộ Công an – cảnh báo", "https://bocongan.gov.vn/tin-tuc/canh-bao-bat-coc-truc-"
                                       "tuyen-d123.html?utm=x&y=1"),
             ("Plain http", "http://example.gov.vn/")]
    for title, url in links:
        add_link(admin, title, url)
    add_file(admin, PDF, "to-roi.pdf", "Tờ rơi")
    file_id = all_resources(app)[-1].id
    response = clients["anonymous"].get("/resources/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    items = public_items(html)
    expected = [(t, u.replace("&", "&amp;")) for t, u in links] + [
        ("Tờ rơi", f"{ORIGIN}/resources/{file_id}/file")]
    assert [(i["title"], i["printed"]) for i in items] == expected
    for item, (_, url) in zip(items, links + [(None, expected[-1][1])]):
        assert item["qr"] == url  # the code holds the address itself
    assert html.count('class="qr-code"') == 4
    assert "never for profit or any commercial purpose" in html
    assert "Every material, online: http://localhost/resources/" in html
    assert "Manage the materials" not in html  # for admins only
    assert "Manage the materials" in admin.get("/resources/").get_data(as_text=True)


def test_files_use_the_public_address(app, admin, clients):
    app.config["PUBLIC_URL"] = "https://quiz.ninhbinh.gov.vn/"
    add_file(admin, PDF, "a.pdf")
    [item] = public_items(clients["anonymous"].get("/resources/").get_data(as_text=True))
    rid = all_resources(app)[0].id
    assert item["qr"] == item["printed"] == f"https://quiz.ninhbinh.gov.vn/resources/{rid}/file"


def test_titles_and_descriptions_are_escaped(app, admin, clients):
    add_link(admin, '<img src=x onerror=alert(1)>', "https://example.gov.vn/?a=<b>",
             description="<script>alert(2)</script>")
    html = clients["anonymous"].get("/resources/").get_data(as_text=True)
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_empty_page_says_so(clients):
    html = clients["anonymous"].get("/resources/").get_data(as_text=True)
    assert "No material yet." in html and 'class="res-item"' not in html
    assert "Print (A4)" not in html


def test_a_single_qr_code_as_an_svg_file(app, admin, clients):
    add_link(admin, "One", "https://example.gov.vn/one")
    rid = all_resources(app)[0].id
    response = clients["anonymous"].get(f"/resources/{rid}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert decode_svg(response.get_data(as_text=True)) == "https://example.gov.vn/one"


def test_the_service_checks_urls_directly(ctx):
    assert service.check_url(" https://example.gov.vn/a?b=c#d ") == "https://example.gov.vn/a?b=c#d"
    assert service.check_url("HTTPS://EXAMPLE.GOV.VN") == "HTTPS://EXAMPLE.GOV.VN"
    with pytest.raises(service.ResourceError) as exc:
        service.check_url("javascript:alert(1)")
    assert exc.value.field == "url"
