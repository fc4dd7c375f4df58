import io
import json
import re

import pytest
from PIL import Image

from models import Application, AuditLog, Document, FeePayment
from tests import sample_files
from tests.factories import gen_application, gen_card, gen_location, gen_reservation, gen_user
from tests.pdfs import pdf_text

FORM_ID = "12345678901234567890123"


def application_form(location, **changes):
    return {
        "application_form_id": FORM_ID,
        "method": "support",
        "name": "安芸　次郎",
        "kana": "あき じろう",
        "birth_date": "1985-06-15",
        "address": "高知県安芸市矢ノ丸一丁目1番1号",
        "phone": "0887-00-0001",
        "visit_type": "at_issuance",
        "issue_kind": "reissue",
        "reissue_cause": "lost",
        "express": "y",
        "location": str(location.id),
        "received_on": "2026-12-03",
        **changes,
    }


def page_of(response):
    return response.get_data(as_text=True)


def actions(model=None):
    query = AuditLog.select().order_by(AuditLog.id)
    if model:
        query = query.where(AuditLog.model == model)
    return [row.action for row in query]


@pytest.fixture
def clerk(auth, database):
    user = gen_user("clerk", login="madoguchi")
    auth.login("madoguchi")
    return user


def signed_in(auth, role):
    auth.logout()
    user = gen_user(role)
    auth.login(user.login)
    return user


# Recording and editing applications


def test_clerk_records_an_application_and_lands_on_its_page(client, auth, clerk):
    """Does a valid 申請サポート application save, normalise its kana, note the clerk, audit, and open its page?"""
    location = gen_location()
    response = auth.post("/admin/application/new/", application_form(location))
    application = Application.get(Application.application_form_id == FORM_ID)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/applicant/{application.id}")
    assert (application.kana, application.received_by.id, application.express) == ("アキ　ジロウ", clerk.id, True)
    assert actions("Application") == ["create"]
    page = page_of(client.get(f"/admin/applicant/{application.id}"))
    assert FORM_ID in page and "申請サポート" in page and "紛失" in page and "特急発行" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"application_form_id": "1" * 22}, "申請書IDは23桁です(入力は22桁)。"),
        ({"application_form_id": "1" * 24}, "申請書IDは23桁です(入力は24桁)。"),
        ({"reissue_cause": "__None"}, "申請理由が「再交付」のときは、再交付の理由を選んでください。"),
        ({"method": "outreach"}, "出張申請では、出張先・イベント名を入力してください。"),
        ({"method": "workplace"}, "勤務地等経由申請では、勤務先を入力してください。"),
    ],
    ids=["22-digits", "24-digits", "reissue-without-cause", "outreach-without-event", "workplace-without-employer"],
)
def test_bad_application_is_refused_with_its_message(auth, clerk, changes, message):
    """Is each bad application refused with a clear Japanese message and nothing saved?"""
    response = auth.post("/admin/application/new/", application_form(gen_location(), **changes))
    assert response.status_code == 200 and message in page_of(response)
    assert Application.select().count() == 0 and actions("Application") == []


def test_duplicate_form_id_is_refused(auth, clerk):
    """Is a 申請書ID already on file refused, even typed with full-width digits?"""
    gen_application(application_form_id=FORM_ID)
    typed = "１２３４５６７８９０１２３４５６７８９０１２３"
    response = auth.post("/admin/application/new/", application_form(gen_location(), application_form_id=typed))
    assert "この申請書IDは既に登録されています。" in page_of(response)
    assert Application.select().count() == 1


def test_edit_is_audited_with_its_changes(auth, clerk):
    """Does an edit write its old and new values to the audit log?"""
    location = gen_location()
    application = gen_application(location, application_form_id=FORM_ID)
    form = application_form(location, issue_kind="new", reissue_cause="__None", express="", phone="0887-99-9999")
    form["method"] = "counter"
    response = auth.post(f"/admin/application/edit/?id={application.id}", form)
    assert response.status_code == 302
    row = AuditLog.get(AuditLog.action == "update", AuditLog.model == "Application")
    assert json.loads(row.changes)["phone"] == ["", "0887-99-9999"]


def test_reservation_prefills_a_new_application(client, clerk):
    """Does opening the new-application form from a 申請 reservation fill in the applicant?"""
    reservation = gen_reservation(name="土佐　花子", kana="トサ　ハナコ", phone="0887-11-2222")
    page = page_of(client.get(f"/admin/application/new/?reservation={reservation.id}"))
    assert 'value="土佐　花子"' in page and 'value="0887-11-2222"' in page and reservation.number in page


def test_list_links_to_the_applicant_page(client, clerk):
    """Does the application list link each 申請書ID to the applicant's page?"""
    application = gen_application(application_form_id=FORM_ID)
    page = page_of(client.get("/admin/application/?search=" + FORM_ID))
    assert f'href="/admin/applicant/{application.id}"' in page


def test_applicant_page_shows_everything(client, clerk):
    """Does the applicant's page show the reservation, the fees, the documents and the card?"""
    application = gen_application(
        application_form_id=FORM_ID, kana="アキ　ハナコ", birth_date=gen_reservation().birth_date
    )
    gen_card(application_form_id=FORM_ID, notice_number="ABC-123456")
    page = page_of(client.get(f"/admin/applicant/{application.id}"))
    assert "ABC-123456" in page and "予約中" in page
    assert "手数料の収納はありません。" in page and "この申請に手数料はかかりません" in page
    assert "書類イメージはありません。" in page


# Fees


def payment_page(client, application):
    page = page_of(client.get(f"/admin/applicant/{application.id}"))
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    return page, token


def reissue(express=True, **fields):
    return gen_application(issue_kind="reissue", reissue_cause="lost", express=express, **fields)


def test_clerk_takes_an_express_reissue_fee(client, auth, clerk):
    """Does the page show 2,000円 due, and does paying record two numbered lines and an audit row?"""
    application = reissue()
    page, token = payment_page(client, application)
    assert "2,000円" in page
    response = auth.post(
        f"/admin/applicant/{application.id}/pay",
        {"submission_token": token, "confirmed_total": "2000", "with_certificate": "y", "pay": "収納する"},
    )
    assert response.status_code == 302
    payments = list(FeePayment.select().order_by(FeePayment.receipt_seq))
    assert [(p.kind, p.amount, p.receipt_seq, p.received_by.id) for p in payments] == [
        ("express_card", 1800, 1, clerk.id),
        ("express_cert", 200, 2, clerk.id),
    ]
    page = page_of(client.get(response.headers["Location"]))
    assert "2,000円を収納しました" in page and "この申請の手数料は収納済みです。" in page
    assert 'id="payment-form"' not in page
    assert actions("FeePayment") == ["create"]


def test_double_clicked_payment_is_recorded_once(client, auth, clerk):
    """Does posting the same payment form twice record it once and say so?"""
    application = reissue()
    _page, token = payment_page(client, application)
    form = {"submission_token": token, "confirmed_total": "2000", "with_certificate": "y", "pay": "収納する"}
    auth.post(f"/admin/applicant/{application.id}/pay", form)
    again = auth.post(f"/admin/applicant/{application.id}/pay", form, follow_redirects=True)
    assert "二重送信は記録していません" in page_of(again)
    assert FeePayment.select().count() == 2 and actions("FeePayment") == ["create"]


@pytest.mark.parametrize(
    ("total", "message"),
    [("1000", "金額が請求額(2,000円)と一致しません"), ("-2000", "金額にマイナスは指定できません。")],
)
def test_edited_or_negative_fee_is_refused(client, auth, clerk, total, message):
    """Is an edited or negative amount refused with a message, and nothing recorded?"""
    application = reissue()
    _page, token = payment_page(client, application)
    response = auth.post(
        f"/admin/applicant/{application.id}/pay",
        {"submission_token": token, "confirmed_total": total, "with_certificate": "y", "pay": "収納する"},
    )
    assert response.status_code == 200 and message in page_of(response)
    assert FeePayment.select().count() == 0


def test_recalculating_with_an_exemption_shows_zero(client, auth, clerk):
    """Does choosing 国外転入 for an express new card recompute the amount to 0円 with the reason?"""
    application = gen_application(express=True)
    _page, token = payment_page(client, application)
    response = auth.post(
        f"/admin/applicant/{application.id}/pay",
        {
            "submission_token": token,
            "exemption": "from_abroad",
            "with_certificate": "y",
            "confirmed_total": "2000",
            "recalculate": "1",
        },
    )
    page = page_of(response)
    assert "国外転入" in page and 'id="due-total">0円' in page and 'value="0"' in page
    assert FeePayment.select().count() == 0


def test_viewer_cannot_take_a_payment(client, auth, database):
    """Is a 閲覧者 refused (403, audited) when posting a payment?"""
    application = reissue()
    user = gen_user("viewer")
    auth.login(user.login)
    response = auth.post(
        f"/admin/applicant/{application.id}/pay", {"submission_token": "x", "confirmed_total": "2000", "pay": "1"}
    )
    assert response.status_code == 403 and FeePayment.select().count() == 0
    assert "forbidden" in actions()


def pay(client, auth, application, total):
    _page, token = payment_page(client, application)
    auth.post(
        f"/admin/applicant/{application.id}/pay",
        {"submission_token": token, "confirmed_total": total, "with_certificate": "y", "pay": "収納する"},
    )
    return list(FeePayment.select().where(FeePayment.submission_token == token).order_by(FeePayment.receipt_seq))


def test_receipt_pdf_is_printed_and_audited(client, auth, clerk):
    """Does the 領収書 PDF show the applicant and both receipt numbers, and is it logged?"""
    application = reissue(name="土佐　一郎")
    payments = pay(client, auth, application, "2000")
    response = client.get(f"/admin/applicant/payment/{payments[0].id}/receipt")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "土佐 一郎 様" in text and "第1号〜第2号" in text and "2,000円" in text
    assert "pdf" in actions("FeePayment")


def test_void_needs_a_supervisor_and_a_reason(client, auth, clerk):
    """Is voiding refused to a clerk, refused without a reason, and done and audited for a supervisor?"""
    application = reissue()
    payment = pay(client, auth, application, "2000")[1]
    assert auth.post(f"/admin/applicant/payment/{payment.id}/void", {"void_reason": "誤り"}).status_code == 403
    signed_in(auth, "supervisor")
    page = page_of(
        auth.post(f"/admin/applicant/payment/{payment.id}/void", {"void_reason": " "}, follow_redirects=True)
    )
    assert "取消の理由を入力してください。" in page
    auth.post(f"/admin/applicant/payment/{payment.id}/void", {"void_reason": "電子証明書は不要"})
    voided = FeePayment.get_by_id(payment.id)
    assert voided.void and voided.void_reason == "電子証明書は不要"
    row = AuditLog.get(AuditLog.action == "update", AuditLog.model == "FeePayment")
    assert json.loads(row.changes)["void"] == [False, True]


# Documents


def upload(auth, application, *files, title=""):
    return auth.post(
        f"/admin/documents/upload/{application.id}",
        {"files": [(io.BytesIO(data), name) for name, data in files], "title": title},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_clerk_uploads_several_files_and_pages_through_them(client, auth, clerk):
    """Do two files upload at once, and does the viewer page through all their pages, each view audited?"""
    application = gen_application()
    page = page_of(
        upload(auth, application, ("scan.pdf", sample_files.pdf(pages=3)), ("face.jpg", sample_files.jpeg()))
    )
    assert "書類イメージを2件(4ページ)登録しました。" in page
    viewer = page_of(client.get(f"/admin/documents/viewer/{application.id}?i=3&zoom=200"))
    assert "4 / 4" in viewer and "face.jpg" in viewer and "width: 200%" in viewer
    image_url = re.search(r'id="viewer-image" src="([^"]+)"', viewer).group(1)
    image = client.get(image_url)
    assert image.mimetype == "image/jpeg" and Image.open(io.BytesIO(image.data)).format == "JPEG"
    views = list(AuditLog.select().where(AuditLog.action == "view_document"))
    assert len(views) == 1 and "face.jpg" in views[0].detail


def test_another_login_opens_the_documents_from_the_applicant_page(client, auth, clerk):
    """Does a second clerk, on another login, find the thumbnails and the viewer from the applicant's page?"""
    application = gen_application()
    upload(auth, application, ("scan.tif", sample_files.tiff(pages=3)))
    signed_in(auth, "clerk")
    page = page_of(client.get(f"/admin/applicant/{application.id}"))
    assert "すべてのページを表示(3ページ)" in page
    thumbnail_url = re.search(r'<img src="([^"]+/thumbnail/1.jpg)"', page).group(1)
    assert client.get(thumbnail_url).mimetype == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("virus.jpg", sample_files.executable(), "PDF・JPEG・PNG・TIFF のいずれでもありません"),
        ("empty.pdf", b"", "ファイルが空です(0バイト)。"),
        ("cut.pdf", sample_files.pdf(pages=3)[:2000], "PDFが途中で切れています"),
        ("bomb.png", sample_files.png_bomb(), "画像の画素数が大きすぎます"),
    ],
    ids=["renamed-executable", "empty", "truncated-pdf", "png-bomb"],
)
def test_bad_upload_is_refused_and_nothing_is_written(auth, clerk, name, data, message):
    """Is each bad file refused by name with a clear message, and no row or file written for the batch?"""
    application = gen_application()
    page = page_of(upload(auth, application, ("good.png", sample_files.png()), (name, data)))
    assert "書類イメージを登録しませんでした。" in page and f"「{name}」" in page and message in page
    assert Document.select().count() == 0


def test_file_over_the_limit_is_refused(auth, clerk, app):
    """Is a file over the size limit (a setting) refused with the limit in the message?"""
    from rules import settings

    settings.put("upload_max_mb", "1")
    page = page_of(
        upload(auth, gen_application(), ("big.jpg", sample_files.jpeg(size=(2400, 3400)) + b"\0" * (1024 * 1024)))
    )
    assert "ファイルが大きすぎます(上限 1MB" in page and Document.select().count() == 0


def test_images_need_the_right_role(client, auth, clerk):
    """Are images refused to a 閲覧者 and to anyone signed out, and not shown to them on the page?"""
    application = gen_application()
    upload(auth, application, ("a.png", sample_files.png()))
    document = Document.get()
    signed_in(auth, "viewer")
    assert client.get(f"/admin/documents/{document.id}/page/1.jpg").status_code == 403
    assert "/thumbnail/" not in page_of(client.get(f"/admin/applicant/{application.id}"))
    auth.logout()
    assert client.get(f"/admin/documents/{document.id}/page/1.jpg").status_code == 302
    assert actions().count("view_document") == 0


def test_soft_delete_is_supervisor_only_and_audited(client, auth, clerk):
    """Can only a supervisor delete a document, which then disappears but stays on file, with an audit row?"""
    application = gen_application()
    upload(auth, application, ("a.png", sample_files.png()))
    document = Document.get()
    assert auth.post(f"/admin/documents/{document.id}/delete").status_code == 403
    signed_in(auth, "supervisor")
    auth.post(f"/admin/documents/{document.id}/delete")
    assert Document.get_by_id(document.id).deleted
    assert client.get(f"/admin/documents/{document.id}/page/1.jpg").status_code == 404
    row = AuditLog.get(AuditLog.action == "delete", AuditLog.model == "Document")
    assert json.loads(row.changes) == {"deleted": [False, True]}


# Daily cash report


def test_cash_report_matches_the_payments(client, auth, clerk):
    """Do the screen, the CSV and the PDF of the day's report show the total of the payments taken?"""
    location = gen_location(name="本庁窓口")
    pay(client, auth, reissue(location=location), "2000")
    pay(client, auth, reissue(express=False, location=location), "1000")
    total = sum(p.amount for p in FeePayment.select().where(FeePayment.void == False))  # noqa: E712
    day = FeePayment.get().paid_at.date().isoformat()
    page = page_of(client.get(f"/admin/cash_report/?location={location.id}&day={day}"))
    assert f'id="report-total">{total:,}円' in page
    csv_text = client.get(f"/admin/cash_report/csv?location={location.id}&day={day}").get_data(as_text=True)
    assert csv_text.startswith("\ufeff区分") and f"合計,,,,{total},4件" in csv_text
    pdf_response = client.get(f"/admin/cash_report/pdf?location={location.id}&day={day}")
    assert f"{total:,}円" in pdf_text(pdf_response.data) and "本庁窓口" in pdf_text(pdf_response.data)
    assert {"export", "pdf"} <= set(actions("FeePayment"))
