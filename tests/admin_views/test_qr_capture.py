import re
import threading

import pytest

from models import AuditLog, Card, CardEvent, QrCaptureScan
from tests.conftest import AuthActions
from tests.factories import gen_user
from tests.qr_codes import SAMPLE, payload

URL = "/admin/qr_capture/"


def scan(auth, text):
    return auth.post(URL + "scan", {"payload": text})


def counts_row(page, outcome):
    row = re.search(rf'<tr data-outcome="{outcome}">(.*?)</tr>', page, re.S).group(1)
    return [int(cell) for cell in re.findall(r"<td[^>]*>(\d+)</td>", row)]


@pytest.fixture
def clerk(auth, database):
    user = gen_user("clerk", login="madoguchi")
    auth.login("madoguchi")
    auth.fetch_token(URL)
    return user


def test_clerk_scans_the_sample(client, auth, clerk):
    """Does one scan of the sample register the card and redirect back to a page showing it as 新規, audited?"""
    response = scan(auth, SAMPLE)
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    page = client.get(URL).get_data(as_text=True)
    assert "ヤマサキ\u3000タロウ 6A6-244944" in page and "納品として登録しました。" in page
    assert counts_row(page, "new") == [1, 1, 0, 0]
    assert 'id="payload"' in page and "autofocus" in page and 'data-scan-field="payload"' in page
    assert "kofu/scan_queue.js" in page
    card = Card.get()
    entry = AuditLog.get(AuditLog.action == "qr_capture")
    assert entry.object_id == str(card.id) and entry.login == "madoguchi"


def test_hundred_scans_in_a_row(client, auth, clerk):
    """Do 100 scans posted one after another give 100 cards and 100 新規 rows, none lost or doubled?"""
    for number in range(100):
        assert scan(auth, payload(number)).status_code == 302
    assert Card.select().count() == 100 and CardEvent.select().count() == 100
    assert counts_row(client.get(URL).get_data(as_text=True), "new") == [100, 0, 100, 0]


def test_concurrent_posts_from_threads(app, clerk, database):
    """Do 100 scans posted from 4 threads at once (20 codes each read twice) give 80 cards and 20 重複?"""
    payloads = [payload(number) for number in range(80)] + [payload(number) for number in range(0, 80, 4)]
    failures = []

    def post_all(part):
        auth = AuthActions(app.test_client())
        auth.login("madoguchi")
        auth.fetch_token(URL)
        for text in part:
            if scan(auth, text).status_code != 302:
                failures.append(text)

    threads = [threading.Thread(target=post_all, args=(payloads[index::4],)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Card.select().count() == 80 and CardEvent.select().count() == 80
    outcomes = [outcome for (outcome,) in QrCaptureScan.select(QrCaptureScan.outcome).tuples()]
    assert (outcomes.count("new"), outcomes.count("duplicate"), len(outcomes)) == (80, 20, 100)
    assert QrCaptureScan.select(QrCaptureScan.session).distinct().count() == 1


def test_outcomes_are_listed_with_reasons(client, auth, clerk):
    """Does the running list show 新規, 重複, 更新 and エラー with their Japanese reasons?"""
    for text in (payload(1), payload(1), payload(1, notice="QRB-000001"), "MNCL1,123"):
        scan(auth, text)
    page = client.get(URL).get_data(as_text=True)
    for label, reason in (
        ("新規", "納品として登録しました。"),
        ("重複", "登録済みで、内容も同じです。"),
        ("更新", "交付通知書番号を更新しました。"),
        ("エラー", "QRコードの形式が違います"),
    ):
        assert label in page and reason in page
    assert [counts_row(page, outcome)[0] for outcome in ("new", "updated", "duplicate", "error")] == [1, 1, 1, 1]


def test_empty_enter_registers_nothing(client, auth, clerk):
    """Is an Enter on an empty field ignored rather than counted as an error?"""
    assert scan(auth, "  ").status_code == 302
    assert not QrCaptureScan.select().exists()


def test_undo_and_close(client, auth, clerk):
    """Does undo take back the last card, and does closing show the summary and start afresh?"""
    scan(auth, payload(1, visit="1"))
    scan(auth, payload(2))
    auth.post(URL + "undo")
    page = client.get(URL).get_data(as_text=True)
    assert "取り消しました: 新規" in page and Card.select().count() == 1
    assert AuditLog.select().where(AuditLog.action == "qr_capture_undo").count() == 1
    response = auth.post(URL + "close")
    summary = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "QR読取登録の集計" in summary and counts_row(summary, "new") == [1, 1, 0, 0]
    assert AuditLog.get(AuditLog.action == "qr_capture_close").detail.startswith("新規: 1 (申請時来庁 1)")
    assert counts_row(client.get(URL).get_data(as_text=True), "new") == [0, 0, 0, 0]


def test_undo_with_nothing_to_undo(client, auth, clerk):
    """Does undo without any scan say so instead of failing?"""
    auth.post(URL + "undo")
    assert "取り消せる読み取りがありません。" in client.get(URL).get_data(as_text=True)


def test_summary_of_another_user_is_hidden(client, auth, clerk):
    """Is another clerk's closed session not shown?"""
    scan(auth, payload(1))
    location = auth.post(URL + "close").headers["Location"]
    gen_user("clerk", login="other")
    auth.logout()
    auth.login("other")
    assert client.get(location).status_code == 404


@pytest.mark.parametrize(("method", "path"), [("get", ""), ("post", "scan"), ("post", "undo"), ("post", "close")])
def test_viewer_is_refused(client, auth, database, method, path):
    """Is a viewer refused (403) on every part of the capture screen, writing nothing?"""
    gen_user("viewer", login="etsuran")
    auth.login("etsuran")
    response = client.get(URL) if method == "get" else auth.post(URL + path, {"payload": SAMPLE})
    assert response.status_code == 403 and not Card.select().exists()
