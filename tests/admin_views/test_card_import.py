import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from admin_views import card_import as view
from admin_views import job_progress, pending_uploads
from config import PROJECT_ROOT
from models import AuditLog, Card, CardEvent
from tests.card_csv import card_rows, csv_bytes
from tests.factories import gen_user

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "card_list_default.csv"
URL = "/admin/card_import/"


def upload(auth, data, filename="cards.csv", profile="default"):
    auth.fetch_token(URL)
    return auth.post(
        URL, {"file": (io.BytesIO(data), filename), "profile": profile}, content_type="multipart/form-data"
    )


def confirm_fields(page):
    return dict(re.findall(r'id="(token|profile|filename)" name="\1" type="hidden" value="([^"]*)"', page))


def kept_files(app):
    folder = Path(app.config["DATA_DIR"]) / "card_imports"
    return list(folder.glob("*")) if folder.exists() else []


@pytest.fixture
def clerk(auth, database):
    gen_user("clerk", login="madoguchi")
    auth.login("madoguchi")


def test_clerk_previews_then_applies_sample(client, auth, clerk, app):
    """Does a clerk see the sample's counts and first rows, confirm, and find 40 cards, audited, file gone?"""
    page = upload(auth, SAMPLE.read_bytes(), "card_list_default.csv").get_data(as_text=True)
    assert "新規</th><td>40</td><td>10</td><td>30</td>" in page.replace("\n", "").replace("  ", "")
    assert "髙橋\u3000健一" in page and "ヤマサキ\u3000タロウ" in page
    assert Card.select().count() == 0 and len(kept_files(app)) == 1
    result = auth.post(URL + "apply", confirm_fields(page)).get_data(as_text=True)
    assert "登録しました(新規 40件・更新 0件)。" in result
    assert Card.select().count() == 40 and CardEvent.select().count() == 40
    entry = AuditLog.get(AuditLog.action == "import")
    assert entry.login == "madoguchi" and "card_list_default.csv" in entry.detail
    assert kept_files(app) == []


def test_abandoned_previews_are_removed(client, auth, clerk, app):
    """Is a kept file older than half a day removed when the next file is uploaded?"""
    upload(auth, SAMPLE.read_bytes())
    [abandoned] = kept_files(app)
    os.utime(abandoned, (time.time() - pending_uploads.KEEP_SECONDS - 60,) * 2)
    upload(auth, SAMPLE.read_bytes())
    assert len(kept_files(app)) == 1 and not abandoned.exists()


def test_preview_shows_errors_and_offers_no_confirm(client, auth, clerk, app):
    """Does a file with an impossible date show line, column and message, keep no file and offer no confirm?"""
    rows = card_rows(3)
    rows[1]["生年月日"] = "R8.2.30"
    page = upload(auth, csv_bytes(rows)).get_data(as_text=True)
    assert "<td>3</td><td>生年月日</td><td>「R8.2.30」は存在しない日付です。</td>" in page
    assert "import-confirm" not in page and kept_files(app) == []


def test_unknown_encoding_is_shown(client, auth, clerk):
    """Is a UTF-16 file refused on the preview page with the encoding message?"""
    page = upload(auth, csv_bytes(card_rows(2), "utf-16")).get_data(as_text=True)
    assert "文字コードを判別できません" in page


def applied_in_background(auth, preview_page):
    """Confirm the preview as the page's script does and poll until the import ends; (started, last state)."""
    started = auth.post(URL + "apply", {**confirm_fields(preview_page), "mode": "background"}).get_json()
    for _ in range(200):
        state = auth.client.get(started["progress"]).get_json()
        if state["finished"]:
            break
        time.sleep(0.05)
    return started, state


def test_background_apply_reports_progress(client, auth, clerk, app):
    """Does the scripted confirm run in the background, report progress, and show the result page?"""
    page = upload(auth, csv_bytes(card_rows(1500))).get_data(as_text=True)
    started, state = applied_in_background(auth, page)
    assert state["finished"] and (state["done"], state["total"]) == (1500, 1500)
    assert "登録しました(新規 1500件・更新 0件)。" in client.get(state["result"]).get_data(as_text=True)
    assert Card.select().count() == 1500 and kept_files(app) == []
    assert AuditLog.get(AuditLog.action == "import").ip == "127.0.0.1"
    assert client.get(started["progress"]).status_code == 404


def test_background_apply_that_fails_registers_nothing(client, auth, clerk, app, monkeypatch):
    """When the import raises in the background, does the result page say nothing was registered,
    with no card written and the kept file gone?"""

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("rules.card_import.apply", broken)
    page = upload(auth, SAMPLE.read_bytes()).get_data(as_text=True)
    _, state = applied_in_background(auth, page)
    assert view.FAILED_MESSAGE in client.get(state["result"]).get_data(as_text=True)
    assert Card.select().count() == 0 and kept_files(app) == []


def test_second_confirm_of_the_same_file_is_refused(client, auth, clerk):
    """Does a double-clicked confirm import once, the second click finding no file?"""
    fields = confirm_fields(upload(auth, SAMPLE.read_bytes()).get_data(as_text=True))
    assert auth.post(URL + "apply", fields).status_code == 200
    assert auth.post(URL + "apply", fields).status_code == 404
    assert AuditLog.select().where(AuditLog.action == "import").count() == 1


def test_confirm_token_is_checked(client, auth, clerk):
    """Is a confirm with a malformed or unknown token refused, and one without CSRF token rejected?"""
    assert auth.post(URL + "apply", {"token": "../../etc/passwd", "profile": "default"}).status_code == 400
    assert auth.post(URL + "apply", {"token": "a" * 43, "profile": "default"}).status_code == 404
    assert client.post(URL + "apply", data={"token": "a" * 43, "profile": "default"}).status_code == 400


def test_second_profile_is_offered(client, auth, clerk, app):
    """Is a profile in the data folder offered in the form and used for the preview?"""
    folder = Path(app.config["DATA_DIR"]) / "import_profiles"
    folder.mkdir()
    (folder / "short.json").write_text(
        '{"label": "簡易形式", "columns": {"ID": "application_form_id", "名前": "name", "カナ": "kana",'
        ' "生年月日": "birth_date", "区分": "visit_type"}}',
        encoding="utf-8",
    )
    assert "簡易形式" in client.get(URL).get_data(as_text=True)
    data = "ID,名前,カナ,生年月日,区分\n12345678901234567890123,山田　花子,ﾔﾏﾀﾞ ﾊﾅｺ,S55.4.3,交付時来庁\n"
    page = upload(auth, data.encode("cp932"), profile="short").get_data(as_text=True)
    assert "ヤマダ\u3000ハナコ" in page and "import-confirm" in page


def test_viewer_gets_403(client, auth, database):
    """Is the CSV import closed to a viewer, on the page and on confirm?"""
    gen_user("viewer", login="miru")
    auth.login("miru")
    assert client.get(URL).status_code == 403
    assert auth.post(URL + "apply", {"token": "a" * 43, "profile": "default"}).status_code == 403
    assert Card.select().count() == 0


def test_progress_of_another_user_is_hidden(client, auth, clerk, app):
    """Can nobody read the progress of a token that is not their own import?"""
    with app.test_request_context():
        job_progress.start(pending_uploads.folder_of(view.FOLDER), "x" * 43, user_id=-1)
    assert client.get(URL + "progress/" + "x" * 43).status_code == 404
    assert client.get(URL + "progress/" + "..%2F" * 9).status_code in (400, 404)


def test_another_process_answers_the_poll(client, auth, clerk, app_config):
    """With several processes sharing the data folder, does a process other than the one running
    the import answer the polls with its progress and its result?"""
    page = upload(auth, csv_bytes(card_rows(300))).get_data(as_text=True)
    started = auth.post(URL + "apply", {**confirm_fields(page), "mode": "background"}).get_json()
    cookie = client.get_cookie("session").value
    other_process = [
        sys.executable,
        "-c",
        POLL_FROM_ANOTHER_PROCESS,
        json.dumps(app_config),
        cookie,
        started["progress"],
    ]
    answer = subprocess.run(other_process, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
    assert answer.returncode == 0, answer.stderr
    state = json.loads(answer.stdout)
    assert state["finished"] and state["done"] == 300
    assert "登録しました(新規 300件・更新 0件)。" in state["page"]
    assert client.get(started["progress"]).status_code == 404


POLL_FROM_ANOTHER_PROCESS = """
import json, sys, time
from app import create_app
config, cookie, url = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
client = create_app(config).test_client()
client.set_cookie("session", cookie)
for _ in range(400):
    state = client.get(url).get_json()
    if state["finished"]:
        break
    time.sleep(0.05)
print(json.dumps({**state, "page": client.get(state["result"]).get_data(as_text=True)}))
"""
