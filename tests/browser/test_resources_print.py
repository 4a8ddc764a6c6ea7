"""A real browser on the resources page: an admin adds seven links and a PDF at /admin/resources
(the form shows the address or the file field by what is chosen) and the support contact at
/admin/settings; the public page prints on ONE A4 sheet (Chromium's own PDF of it has one page)
whose every QR code, read back from a picture of the printed layout by zxing-cpp, opens its
material; the session report prints with the support contact. Screenshots (the A4 sheet at 96
dpi, the page at 1280 and 360 px wide) are kept in the test's folder."""
from __future__ import annotations

import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.support import ADMIN_PASSWORD

from .conftest import watch_console

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1280, "height": 720}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
#: A4 at 96 dpi, less the sheet's 10 mm margins (static/css/app.css): the printed area.
MM = 96 / 25.4
PRINTED = {"width": round(190 * MM), "height": round(277 * MM)}
PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
       b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")
LINKS = [
    ("Nhận diện “bắt cóc trực tuyến”", "Năm dấu hiệu của kẻ lừa đảo qua mạng và việc cần làm "
     "ngay khi gặp.", "https://khongmotminh.gov.vn/tai-lieu/nhan-dien-bat-coc-truc-tuyen"),
    ("Video: cuộc gọi của “công an” giả", "Một cuộc gọi video mạo danh, kể lại từ đầu đến cuối.",
     "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("Việc nhẹ lương cao", "", "https://bocongan.gov.vn/tin-tuc/canh-bao-thu-doan-tuyen-dung-"
     "viec-nhe-luong-cao-de-lua-dao-mua-ban-nguoi-d12345.html?nguon=truong-hoc&lop=8"),
    ("Đường dây nóng 111", "Tổng đài quốc gia bảo vệ trẻ em: miễn phí, 24/7.",
     "https://tongdai111.vn/"),
    ("Hướng dẫn cho phụ huynh", "Cách trò chuyện với con về người lạ trên mạng, theo từng lứa "
     "tuổi; những cài đặt nên bật trên điện thoại của con; khi nào cần báo công an; số điện "
     "thoại của công an xã, phường nơi gia đình ở; và những điều tuyệt đối không nên làm khi "
     "con bị đe dọa.", "https://khongmotminh.gov.vn/phu-huynh"),
    ("Bài giảng mẫu (THCS)", "Giáo án 45 phút.", "https://khongmotminh.gov.vn/giao-an/thcs"),
    ("Báo cáo kết quả chiến dịch", "", "http://congan.ninhbinh.gov.vn/khong-mot-minh"),
]


def signed_in(browser, server, errors: list, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    watch_console(page, errors)
    page.goto(server.url + "/lang/en")
    page.goto(server.url + "/login")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button.btn-primary")
    expect(page).not_to_have_url(re.compile(r"/login"))
    return context, page


def read_codes(path) -> list[str]:
    """Every QR code zxing-cpp finds in a picture, read as a phone's camera would."""
    return [r.text for r in zxingcpp.read_barcodes(Image.open(path),
                                                   formats=zxingcpp.BarcodeFormat.QRCode)]


def test_the_resources_page_prints_on_one_a4_sheet(server, browser, tmp_path):
    errors: list[str] = []
    context, page = signed_in(browser, server, errors, **DESKTOP)
    page.click("header nav >> text=Administration")
    page.click(".admin-nav >> text=Resources page")
    expect(page.locator("h1")).to_have_text("Resources page")

    # the form shows the field of what is chosen
    expect(page.locator("#url")).to_be_visible()
    expect(page.locator("#file")).to_be_hidden()
    page.check("input[name=kind][value=file]")
    expect(page.locator("#file")).to_be_visible()
    expect(page.locator("#url")).to_be_hidden()
    page.check("input[name=kind][value=link]")

    # a bad address is refused on the page, nothing added
    page.fill("#title", "Bad")
    page.fill("#url", "javascript:alert(1)")
    page.click("button:has-text('Save')")
    expect(page.locator(".field-error")).to_contain_text("https://")
    expect(page.locator("table.res-admin")).to_have_count(0)

    for title, description, url in LINKS:
        page.check("input[name=kind][value=link]")
        page.fill("#title", title)
        page.fill("#description", description)
        page.fill("#url", url)
        page.click("button:has-text('Save')")
        expect(page.locator("p.notice")).to_contain_text(title)
    pdf = tmp_path / "to-roi.pdf"
    pdf.write_bytes(PDF)
    page.check("input[name=kind][value=file]")
    page.fill("#title", "Tờ rơi “3 không, 3 phải”")
    page.fill("#description", "In khổ A5, phát cho học sinh sau buổi học.")
    page.set_input_files("#file", str(pdf))
    page.click("button:has-text('Save')")
    expect(page.locator("table.res-admin tbody tr")).to_have_count(8)
    # the leaflet to the top: up seven times
    leaflet = page.locator("table.res-admin tbody tr", has_text="Tờ rơi")
    for _ in range(7):
        with page.expect_navigation():
            leaflet.locator("button[aria-label^='Move'][aria-label$='up']").click()
    expect(leaflet.locator("button[aria-label$='up']")).to_be_disabled()
    expect(page.locator("table.res-admin tbody tr").first).to_contain_text("Tờ rơi")
    page.screenshot(path=tmp_path / "admin-resources-1280.png", full_page=True)
    file_url = page.locator("table.res-admin tbody tr").first.locator(".res-target a") \
        .get_attribute("href")
    assert re.fullmatch(re.escape(server.url) + r"/resources/\d+/file", file_url), file_url
    expected = [file_url] + [url for _, _, url in LINKS]

    # the public page, signed out, on screen
    public = browser.new_context(**DESKTOP).new_page()
    watch_console(public, errors)
    public.goto(server.url + "/lang/en")
    public.goto(server.url + "/resources/")
    items = public.locator(".res-item")
    expect(items).to_have_count(8)
    assert [t.strip() for t in items.locator(".res-url").all_inner_texts()] == expected
    public.screenshot(path=tmp_path / "resources-1280.png", full_page=True)
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(server.url + "/lang/en")
    phone.goto(server.url + "/resources/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=tmp_path / "resources-360.png", full_page=True)

    # printed: the page's layout at the width of the sheet's printed area
    public.set_viewport_size(PRINTED)
    public.emulate_media(media="print")
    expect(public.locator("header.topbar")).to_be_hidden()
    expect(public.locator("button:has-text('Print')")).to_be_hidden()
    sheet = tmp_path / "resources-a4-print.png"
    public.screenshot(path=sheet, full_page=True)
    bottom = public.evaluate("document.querySelector('.res-rule').getBoundingClientRect().bottom")
    assert bottom <= PRINTED["height"], f"the sheet overflows: {bottom} > {PRINTED['height']}"
    for box in (items.nth(i).bounding_box() for i in range(8)):
        assert box["x"] >= 0 and box["x"] + box["width"] <= PRINTED["width"] + 1, box
    # every code on the sheet reads back as its material's address
    assert sorted(read_codes(sheet)) == sorted(expected)
    qr_mm = items.first.locator(".qr-code").bounding_box()["width"] / MM
    assert qr_mm >= 30, f"QR codes of {qr_mm:.0f} mm are too small for a wall"
    # Chromium's own print of the page: one A4 page
    document = public.pdf(prefer_css_page_size=True, print_background=True)
    (tmp_path / "resources-a4.pdf").write_bytes(document)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", document))
    assert pages == 1, f"{pages} pages"
    [(width, height)] = {(float(w), float(h)) for w, h in re.findall(
        rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", document)}
    assert abs(width - 595.28) < 2 and abs(height - 841.89) < 2, (width, height)  # A4 in points
    assert not errors, errors
    context.close()


def test_the_session_report_prints_with_the_support_contact(server, browser, tmp_path):
    errors: list[str] = []
    context, page = signed_in(browser, server, errors, **DESKTOP)
    page.goto(server.url + "/admin/settings")
    page.fill("#name", "Đại úy Nguyễn Văn An")
    page.fill("#unit", "Phòng An ninh mạng, Công an tỉnh Ninh Bình")
    page.fill("#phone", "12")
    page.click("button:has-text('Save')")
    expect(page.locator(".field-error")).to_contain_text("3 to 15 digits")
    page.fill("#phone", "0229 3871 234")
    page.click("button:has-text('Save')")
    expect(page.locator("p.notice")).to_contain_text("Saved the support contact")
    expect(page.locator(".support-box a[href='tel:02293871234']")).to_have_text("☎ 0229 3871 234")
    page.screenshot(path=tmp_path / "settings-1280.png", full_page=True)

    game = server.create_game(server.token())
    page.goto(server.url + f"/host/{game['pin']}/results")
    page.emulate_media(media="print")
    support = page.locator(".support-box")
    expect(support).to_be_visible()
    expect(support).to_contain_text("Đại úy Nguyễn Văn An")
    expect(support).to_contain_text("0229 3871 234")
    page.set_viewport_size(PRINTED)
    page.screenshot(path=tmp_path / "session-report-print.png", full_page=True)
    page.set_viewport_size(DESKTOP["viewport"])
    page.emulate_media(media="screen")
    page.goto(server.url + "/host/")
    expect(page.locator(".support-box")).to_be_visible()
    page.screenshot(path=tmp_path / "my-sessions-1280.png", full_page=True)
    assert not errors, errors
    context.close()
