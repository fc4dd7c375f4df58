import io
import re
from pathlib import Path

import pytest

from models import AuditLog, Card
from tests.factories import gen_user
from tests.qr_codes import a4_page, image_bytes, payload, pdf_bytes

URL = "/admin/qr_scan_import/"
CODES = [payload(number, visit="1" if number % 3 == 0 else "2") for number in range(8)]


def upload(auth, data, filename="list.pdf"):
    auth.fetch_token(URL)
    return auth.post(URL, {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def confirm_fields(page):
    return dict(re.findall(r'id="(token|filename)" name="\1" type="hidden" value="([^"]*)"', page))


def kept_files(app):
    folder = Path(app.config["DATA_DIR"]) / "qr_scans"
    return list(folder.glob("*")) if folder.exists() else []


@pytest.fixture
def clerk(auth, database):
    gen_user("clerk", login="madoguchi")
    auth.login("madoguchi")


def test_clerk_previews_pages_then_registers(auth, clerk, app):
    """Does a clerk see each page's codes as 新規, confirm, and find every card registered, audited, file gone?"""
    data = pdf_bytes([a4_page(CODES[:5]), a4_page(CODES[5:])])
    page = upload(auth, data).get_data(as_text=True)
    assert "1ページ目: QRコード 5個" in page and "2ページ目: QRコード 3個" in page
    assert "この内容で登録する(8件新規・0件更新)" in page and Card.select().count() == 0
    assert len(kept_files(app)) == 1
    result = auth.post(URL + "apply", confirm_fields(page)).get_data(as_text=True)
    assert "登録しました。" in result and Card.select().count() == 8
    assert (
        "list.pdf(2ページ) 新規: 8 (申請時来庁 3 / 交付時来庁 5)" in AuditLog.get(AuditLog.action == "qr_import").detail
    )
    assert kept_files(app) == []


def test_second_confirm_finds_nothing(auth, clerk):
    """Does a second confirm of the same preview (a double click) register nothing more?"""
    page = upload(auth, image_bytes(a4_page(CODES), "PNG"), "list.png").get_data(as_text=True)
    auth.post(URL + "apply", confirm_fields(page))
    assert auth.post(URL + "apply", confirm_fields(page)).status_code == 404
    assert Card.select().count() == 8


def test_image_without_codes_is_reported_and_cannot_be_confirmed(auth, clerk, app):
    """Is a page without any QR code named, with no confirm button and nothing kept?"""
    data = pdf_bytes([a4_page(CODES[:2]), a4_page([])])
    page = upload(auth, data).get_data(as_text=True)
    assert "2ページ目: QRコード 0個" in page and "QRコードが見つかりません" in page
    assert "qr-scan-confirm" not in page and kept_files(app) == []


def test_bad_code_is_shown_with_its_reason(auth, clerk):
    """Is a code that does not parse shown on its page with the reason, refusing the file?"""
    bad = payload(9).replace("90000000000000000000009", "9000000000000000000009")
    page = upload(auth, image_bytes(a4_page([CODES[0], bad]), "JPEG", quality=85), "list.jpg").get_data(as_text=True)
    assert "読み取った値は22桁" in page and "qr-scan-refused" in page and "qr-scan-confirm" not in page


def test_not_an_image_is_refused(auth, clerk):
    """Is a file that is not a page image refused with the reason?"""
    page = upload(auth, b"a,b\n", "list.csv").get_data(as_text=True)
    assert "いずれでもありません" in page


def test_viewer_is_refused(client, auth, database):
    """Is a viewer refused (403) on the upload and the confirm?"""
    gen_user("viewer", login="etsuran")
    auth.login("etsuran")
    assert client.get(URL).status_code == 403
    assert auth.post(URL + "apply", {"token": "x" * 40}).status_code == 403
