import datetime

import pytest

from rules.applications import application_problems, normalise_form_id, prefill_from_reservation
from tests.factories import gen_reservation, gen_user

VALID = {
    "application_form_id": "1" * 23,
    "method": "counter",
    "kana": "アキ　ジロウ",
    "birth_date": datetime.date(1985, 6, 15),
    "issue_kind": "new",
}


def problems(**changes):
    return application_problems({**VALID, **changes})


def test_valid_application_has_no_problem():
    """Does a complete counter application pass?"""
    assert problems() == {}


@pytest.mark.parametrize(
    ("form_id", "message"),
    [
        ("1" * 22, "申請書IDは23桁です(入力は22桁)。"),
        ("1" * 24, "申請書IDは23桁です(入力は24桁)。"),
        ("1" * 22 + "A", "申請書IDは数字だけで入力してください。"),
        ("", "申請書IDを入力してください。"),
    ],
)
def test_form_id_must_be_23_digits(form_id, message):
    """Is a 22- or 24-digit or non-numeric 申請書ID refused with its length named?"""
    assert problems(application_form_id=form_id) == {"application_form_id": message}


def test_form_id_accepts_full_width_digits_and_separators():
    """Are full-width digits, spaces and hyphens in a typed 申請書ID tidied into 23 digits?"""
    typed = "１２３４ ５６７８-９０１２ 3456-7890-123"
    assert normalise_form_id(typed) == "12345678901234567890123"
    assert problems(application_form_id=typed) == {}


def test_reissue_needs_its_cause():
    """Is a 再交付 without its cause refused, and a cause without 再交付 too?"""
    assert problems(issue_kind="reissue") == {
        "reissue_cause": "申請理由が「再交付」のときは、再交付の理由を選んでください。"
    }
    assert problems(issue_kind="reissue", reissue_cause="lost") == {}
    assert "reissue_cause" in problems(issue_kind="new", reissue_cause="lost")


@pytest.mark.parametrize(("method", "field"), [("outreach", "event_name"), ("workplace", "employer")])
def test_outreach_and_workplace_need_their_detail(method, field):
    """Do outreach and workplace applications demand the event or the employer?"""
    assert list(problems(method=method)) == [field]
    assert problems(method=method, **{field: "安芸市役所"}) == {}


def test_kana_and_birth_date_are_checked():
    """Are a kana in kanji and a future birth date refused?"""
    found = problems(kana="安芸", birth_date=datetime.date(2999, 1, 1))
    assert set(found) == {"kana", "birth_date"}


def test_prefill_copies_the_reservation(database):
    """Does a reservation give a new application its name, kana, birth date, phone and place?"""
    reservation, clerk = gen_reservation(phone="0887-00-0000"), gen_user("clerk")
    values = prefill_from_reservation(reservation, user=clerk)
    assert (values["name"], values["kana"], values["phone"]) == ("安芸　花子", "アキ　ハナコ", "0887-00-0000")
    assert values["location"].id == reservation.slot.location.id and values["received_by"] == clerk
    assert reservation.number in values["note"]
