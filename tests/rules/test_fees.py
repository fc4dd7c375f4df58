import datetime
import threading
import uuid

import pytest

import pdf
from models import FeePayment, ReceiptCounter, db
from rules import fees, settings
from rules.fees import FeeError, amount_due
from tests.factories import gen_application, gen_location, gen_user
from tests.pdfs import pdf_text

DAY = datetime.date(2026, 12, 3)
AT = datetime.datetime(2026, 12, 3, 10, 30)


def lines(due):
    return [(line.kind, line.amount, line.exemption_reason) for line in due.lines]


# amount_due, case by case


def test_new_and_renewal_cost_nothing(database):
    """Do a first card and a renewal owe no fee at all?"""
    assert amount_due("new", on=DAY).lines == ()
    assert amount_due("renewal", on=DAY).total == 0


def test_reissue_charges_card_and_certificate(database):
    """Does a lost card's reissue cost 800円 for the card and 200円 for the certificate?"""
    due = amount_due("reissue", reissue_cause="lost", on=DAY)
    assert lines(due) == [("reissue_card", 800, ""), ("reissue_cert", 200, "")]
    assert due.total == 1000


def test_reissue_without_certificate_charges_the_card_only(database):
    """Is the certificate fee left out when no certificate is issued?"""
    due = amount_due("reissue", reissue_cause="damaged", with_certificate=False, on=DAY)
    assert lines(due) == [("reissue_card", 800, "")]


def test_express_reissue_charges_the_express_fees(database):
    """Does an express reissue cost 1,800円 + 200円 instead of the ordinary fees?"""
    due = amount_due("reissue", reissue_cause="lost", express=True, on=DAY)
    assert lines(due) == [("express_card", 1800, ""), ("express_cert", 200, "")]
    assert due.total == 2000


def test_express_for_an_infant_is_free(database):
    """Is express issuance free for a child not yet one year old, with the reason recorded?"""
    due = amount_due("new", express=True, birth_date=datetime.date(2026, 1, 10), on=DAY)
    assert lines(due) == [("express_card", 0, "1歳未満"), ("express_cert", 0, "1歳未満")]


def test_express_on_the_first_birthday_is_charged(database):
    """Does the infant exemption end on the first birthday, also for a 29 February birth?"""
    assert amount_due("new", express=True, birth_date=datetime.date(2025, 12, 3), on=DAY).total == 2000
    leap_born = datetime.date(2024, 2, 29)
    assert amount_due("new", express=True, birth_date=leap_born, on=datetime.date(2025, 2, 28)).total == 0
    assert amount_due("new", express=True, birth_date=leap_born, on=datetime.date(2025, 3, 1)).total == 2000


def test_express_after_moving_from_abroad_is_free(database):
    """Is express issuance free for someone who moved in from abroad?"""
    due = amount_due("new", express=True, birth_date=datetime.date(1990, 1, 1), exemption="from_abroad", on=DAY)
    assert due.total == 0 and due.exemption_reason == "国外転入"


def test_stolen_card_with_a_report_number_is_free(database):
    """Is a stolen card's reissue free when the police report number is given, and is it recorded?"""
    due = amount_due("reissue", reissue_cause="stolen", police_report_number="第1234号", on=DAY)
    assert due.total == 0 and due.exemption_reason == "盗難(受理番号 第1234号)"


def test_stolen_card_without_a_report_number_is_charged(database):
    """Is a stolen card's reissue charged when no report number is given?"""
    assert amount_due("reissue", reissue_cause="stolen", police_report_number=" ", on=DAY).total == 1000


@pytest.mark.parametrize(
    ("exemption", "reason"),
    [("disaster", "災害による滅失・損傷"), ("card_fault", "カードの不具合(本人の責めによらないもの)")],
)
def test_reissue_free_cases(database, exemption, reason):
    """Are the other free reissue cases free, with their reason on each line?"""
    due = amount_due("reissue", reissue_cause="damaged", exemption=exemption, on=DAY)
    assert due.total == 0 and {line.exemption_reason for line in due.lines} == {reason}


def test_other_exemption_needs_its_reason(database):
    """Does 「その他の免除」 demand a written reason, and record it?"""
    with pytest.raises(FeeError) as refused:
        amount_due("reissue", reissue_cause="other", exemption="other", exemption_note=" ", on=DAY)
    assert refused.value.field == "exemption_note"
    due = amount_due("reissue", reissue_cause="other", exemption="other", exemption_note="市の事務誤り", on=DAY)
    assert due.exemption_reason == "その他の免除: 市の事務誤り"


def test_exemption_that_does_not_apply_is_refused(database):
    """Is 国外転入 refused for a reissue, and any exemption for a free application?"""
    with pytest.raises(FeeError, match="再交付には「国外転入」による免除は適用できません"):
        amount_due("reissue", reissue_cause="lost", exemption="from_abroad", on=DAY)
    with pytest.raises(FeeError, match="手数料がかからない"):
        amount_due("new", exemption="disaster", on=DAY)
    with pytest.raises(FeeError, match="免除の理由が正しくありません"):
        amount_due("reissue", reissue_cause="lost", exemption="friend_of_mayor", on=DAY)


def test_reissue_without_cause_is_refused(database):
    """Is a reissue without its cause refused with a message naming the missing cause?"""
    with pytest.raises(FeeError, match="再交付の理由を選んでください") as refused:
        amount_due("reissue", on=DAY)
    assert refused.value.field == "reissue_cause"


def test_fee_table_comes_from_settings(database):
    """Does a changed fee in the settings change the amount due?"""
    settings.put("fee_reissue_card", "1000")
    assert amount_due("reissue", reissue_cause="lost", on=DAY).total == 1200


def test_fiscal_year_runs_april_to_march():
    """Does 31 March belong to the previous 年度 and 1 April to the new one?"""
    assert fees.fiscal_year(datetime.date(2027, 3, 31)) == 2026
    assert fees.fiscal_year(datetime.date(2027, 4, 1)) == 2027


@pytest.mark.parametrize(("text", "amount"), [("2000", 2000), ("2,000円", 2000), (" 0 ", 0)])
def test_parse_amount_accepts_written_yen(text, amount):
    """Are amounts typed with a comma or 円 read as yen?"""
    assert fees.parse_amount(text) == amount


@pytest.mark.parametrize(("text", "message"), [("-200", "マイナス"), ("二千", "半角数字"), ("", "半角数字")])
def test_parse_amount_refuses_bad_amounts(text, message):
    """Are negative and non-numeric amounts refused clearly?"""
    with pytest.raises(FeeError, match=message):
        fees.parse_amount(text)


# take_payment


def pay(application, location, user, total, token=None, **choices):
    token = token or uuid.uuid4().hex
    return fees.take_payment(
        application, location=location, user=user, submission_token=token, confirmed_total=total, at=AT, **choices
    )


@pytest.fixture
def counter(database):
    location = gen_location()
    return location, gen_user("clerk")


def test_payment_lines_get_consecutive_receipt_numbers(counter):
    """Does each fee line get the next receipt number of this location and 年度?"""
    location, clerk = counter
    first = pay(gen_application(location, issue_kind="reissue", reissue_cause="lost"), location, clerk, "1000")
    second = pay(
        gen_application(location, issue_kind="reissue", reissue_cause="lost", express=True), location, clerk, 2000
    )
    assert [p.receipt_seq for p in first.payments + second.payments] == [1, 2, 3, 4]
    assert {p.fiscal_year for p in first.payments} == {2026}
    assert second.total == 2000 and second.created
    assert fees.receipt_number(second.payments[0]) == "2026年度 第3号"


def test_receipt_numbers_are_per_location_and_fiscal_year(counter):
    """Does each counter start at 1, and does a new 年度 start again at 1?"""
    location, clerk = counter
    other = gen_location()

    def express_reissue():
        return gen_application(location, issue_kind="reissue", reissue_cause="lost", express=True)

    pay(express_reissue(), location, clerk, 2000)
    assert [p.receipt_seq for p in pay(express_reissue(), other, clerk, 2000).payments] == [1, 2]
    april = fees.take_payment(
        express_reissue(),
        location=location,
        user=clerk,
        submission_token="april",
        confirmed_total=2000,
        at=datetime.datetime(2027, 4, 1, 9, 0),
    )
    assert [(p.fiscal_year, p.receipt_seq) for p in april.payments] == [(2027, 1), (2027, 2)]


def test_double_click_records_the_payment_once(counter):
    """Does the same submission sent twice return the first receipt instead of a second one?"""
    location, clerk = counter
    application = gen_application(location, issue_kind="reissue", reissue_cause="lost")
    first = pay(application, location, clerk, 1000, token="click")
    again = pay(application, location, clerk, 1000, token="click")
    assert not again.created
    assert [p.id for p in again.payments] == [p.id for p in first.payments]
    assert FeePayment.select().count() == 2
    assert ReceiptCounter.get().last_seq == 2


@pytest.mark.parametrize(("total", "message"), [("900", r"請求額\(1,000円\)と一致しません"), ("-1000", "マイナス")])
def test_edited_or_negative_amount_writes_nothing(counter, total, message):
    """Is an edited or negative amount refused, leaving no payment and no used receipt number?"""
    location, clerk = counter
    application = gen_application(location, issue_kind="reissue", reissue_cause="lost")
    with pytest.raises(FeeError, match=message):
        pay(application, location, clerk, total)
    assert FeePayment.select().count() == 0
    assert ReceiptCounter.select().count() == 0
    assert [p.receipt_seq for p in pay(application, location, clerk, 1000).payments] == [1, 2]


def test_same_fee_twice_is_refused_until_voided(counter):
    """Is a second payment of the same fee (from another page load) refused, and allowed again once voided?"""
    location, clerk = counter
    application = gen_application(location, issue_kind="reissue", reissue_cause="lost")
    first = pay(application, location, clerk, 1000)
    with pytest.raises(FeeError, match=r"既に収納されています\(2026年度 第1号\)"):
        pay(application, location, clerk, 1000)
    assert ReceiptCounter.get().last_seq == 2
    for payment in first.payments:
        fees.void_payment(payment.id, user=gen_user("supervisor"), reason="金種の誤り")
    assert [p.receipt_seq for p in pay(application, location, clerk, 1000).payments] == [3, 4]


def test_nothing_to_pay_is_refused(counter):
    """Is a payment for a free new card refused rather than recorded?"""
    location, clerk = counter
    with pytest.raises(FeeError, match="手数料がかかりません"):
        pay(gen_application(location), location, clerk, 0)


def test_exempt_lines_are_recorded_with_their_reason(counter):
    """Is a free reissue recorded at 0円 with its reason and receipt numbers?"""
    location, clerk = counter
    application = gen_application(location, issue_kind="reissue", reissue_cause="stolen", police_report_number="55")
    receipt = pay(application, location, clerk, 0)
    assert [(p.amount, p.exemption_reason) for p in receipt.payments] == [(0, "盗難(受理番号 55)")] * 2


def run_in_threads(count, work):
    errors = []

    def target(index):
        try:
            with db.connection_context():
                work(index)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_concurrent_payments_leave_no_gap(counter):
    """Do twelve payments at the same moment get receipt numbers 1 to 24 with no gap or repeat?"""
    location, clerk = counter
    applications = [gen_application(location, issue_kind="reissue", reissue_cause="lost") for _ in range(12)]
    db.close()
    run_in_threads(12, lambda index: pay(applications[index], location, clerk, 1000))
    numbers = sorted(p.receipt_seq for p in FeePayment.select())
    assert numbers == list(range(1, 25))
    assert ReceiptCounter.get().last_seq == 24


def test_concurrent_double_clicks_record_once(counter):
    """Do six simultaneous sends of one submission record one payment and use two numbers?"""
    location, clerk = counter
    application = gen_application(location, issue_kind="reissue", reissue_cause="lost")
    db.close()
    run_in_threads(6, lambda index: pay(application, location, clerk, 1000, token="same"))
    assert sorted(p.receipt_seq for p in FeePayment.select()) == [1, 2]
    assert ReceiptCounter.get().last_seq == 2


# void_payment


def test_void_needs_a_supervisor_and_a_reason(counter):
    """Is voiding refused to a clerk and without a reason, and does it keep the row?"""
    location, clerk = counter
    payment = pay(
        gen_application(location, issue_kind="reissue", reissue_cause="lost"), location, clerk, 1000
    ).payments[0]
    with pytest.raises(FeeError, match="責任者以上"):
        fees.void_payment(payment.id, user=clerk, reason="誤り")
    supervisor = gen_user("supervisor")
    with pytest.raises(FeeError, match="取消の理由を入力"):
        fees.void_payment(payment.id, user=supervisor, reason="  ")
    voided = fees.void_payment(payment.id, user=supervisor, reason="金額の誤り", at=AT)
    assert (voided.void, voided.void_reason, voided.voided_by.id, voided.voided_at) == (
        True,
        "金額の誤り",
        supervisor.id,
        AT,
    )
    assert FeePayment.select().count() == 2
    with pytest.raises(FeeError, match="既に取り消されています"):
        fees.void_payment(payment.id, user=supervisor, reason="もう一度")


# daily_report


def test_daily_report_reconciles_with_the_payments(counter):
    """Do the report's totals equal the day's valid payments, with voided ones listed apart?"""
    location, clerk = counter
    supervisor = gen_user("supervisor")
    lost = gen_application(location, issue_kind="reissue", reissue_cause="lost")
    express = gen_application(location, issue_kind="reissue", reissue_cause="lost", express=True, name="土佐　一郎")
    stolen = gen_application(location, issue_kind="reissue", reissue_cause="stolen", police_report_number="77")
    pay(lost, location, clerk, 1000)
    express_receipt = pay(express, location, clerk, 2000)
    pay(stolen, location, clerk, 0)
    fees.void_payment(express_receipt.payments[1].id, user=supervisor, reason="電子証明書不要")
    fees.take_payment(
        gen_application(location, issue_kind="reissue", reissue_cause="lost"),
        location=location,
        user=clerk,
        submission_token="tomorrow",
        confirmed_total=1000,
        at=AT + datetime.timedelta(days=1),
    )
    pay(gen_application(location, issue_kind="reissue", reissue_cause="lost"), gen_location(), clerk, 1000)

    report = fees.daily_report(location, DAY)
    assert report.total_amount == 800 + 200 + 1800 + 0 + 0
    assert report.total_count == 5 and report.exempt_count == 2
    assert [p.receipt_seq for p in report.voided] == [4]
    assert {t.kind: (t.count, t.amount) for t in report.by_kind} == {
        "reissue_card": (2, 800),
        "reissue_cert": (2, 200),
        "express_card": (1, 1800),
        "express_cert": (0, 0),
    }
    assert sum(t.amount for t in report.by_kind) == report.total_amount
    day_start = datetime.datetime.combine(DAY, datetime.time())
    stored = FeePayment.select().where(
        FeePayment.location == location,
        FeePayment.void == False,  # noqa: E712
        FeePayment.paid_at.between(day_start, day_start + datetime.timedelta(hours=23, minutes=59)),
    )
    assert sum(p.amount for p in stored) == report.total_amount


def test_daily_report_csv_lists_lines_and_totals(counter):
    """Does the CSV list every line, the voided ones marked, and end with the totals?"""
    location, clerk = counter
    express = gen_application(location, issue_kind="reissue", reissue_cause="lost", express=True, name="土佐　一郎")
    receipt = pay(express, location, clerk, 2000)
    fees.void_payment(receipt.payments[1].id, user=gen_user("supervisor"), reason="電子証明書不要")
    rows = [line.split(",") for line in fees.daily_report_csv(fees.daily_report(location, DAY)).splitlines()]
    assert rows[0][:5] == ["区分", "領収番号", "収納日時", "種別", "金額(円)"]
    assert rows[1][:5] == ["収納", "2026年度 第1号", "2026-12-03 10:30", "特急発行手数料(カード)", "1800"]
    assert rows[1][7] == "土佐　一郎"
    assert rows[2][0] == "取消" and rows[2][8] == "電子証明書不要"
    assert rows[-1][:6] == ["合計", "", "", "", "1800", "1件"]


# PDFs


def test_receipt_pdf_prints_name_numbers_and_amounts(app, counter):
    """Does the 領収書 print the applicant, the receipt numbers, the date and each amount in Japanese?"""
    location, clerk = counter
    application = gen_application(location, issue_kind="reissue", reissue_cause="lost", express=True, name="土佐　一郎")
    receipt = pay(application, location, clerk, 2000)
    with app.app_context():
        text = pdf_text(pdf.render_pdf("receipt.html", **fees.receipt_context(receipt.payments)))
    for expected in (
        "領収書",
        "土佐 一郎 様",
        "2026年度 第1号〜第2号",
        "2026年12月3日",
        "金額 2,000円",
        "特急発行手数料(カード)",
        "1,800円",
        "200円",
        application.application_form_id,
        "安芸市長",
        location.name,
        clerk.name,
    ):
        assert expected in text


def test_receipt_of_voided_payment_is_refused(counter):
    """Is a receipt for fully voided payments refused?"""
    location, clerk = counter
    receipt = pay(gen_application(location, issue_kind="reissue", reissue_cause="lost"), location, clerk, 1000)
    for payment in receipt.payments:
        fees.void_payment(payment.id, user=gen_user("supervisor"), reason="誤り")
    with pytest.raises(FeeError, match="取り消された"):
        fees.receipt_context(fees.payments_with_token(receipt.payments[0].submission_token))


def test_daily_report_pdf_prints_totals_and_voided(app, counter):
    """Does the 日計表 PDF print the day, the totals and the voided line with its reason?"""
    location, clerk = counter
    receipt = pay(
        gen_application(location, issue_kind="reissue", reissue_cause="lost", name="土佐　一郎"), location, clerk, 1000
    )
    fees.void_payment(receipt.payments[1].id, user=gen_user("supervisor"), reason="電子証明書不要")
    with app.app_context():
        report = fees.daily_report(location, DAY)
        text = pdf_text(pdf.render_pdf("daily_cash_report.html", **fees.daily_report_context(report)))
    for expected in ("手数料日計表", "2026年12月3日(木)", location.name, "土佐 一郎", "800円", "電子証明書不要"):
        assert expected in text
    assert "1件" in text and "合計" in text
