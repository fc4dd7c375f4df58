import datetime

import pytest

from models import Card, CardEvent, StorageLocation
from rules import settings
from rules.card_stages import (
    TRANSITIONS,
    TransitionError,
    add_months,
    allowed_targets,
    disposal_due,
    release_hold,
    reminder_deadline,
    reminder_due,
    transition,
)
from tests.factories import gen_card, gen_location, gen_user

AT = datetime.datetime(2026, 12, 7, 10, 30)
DAY = AT.date()

# (from, to, visit type that allows it)
LEGAL = [
    ("delivered", "inspected", "at_issuance"),
    ("delivered", "on_hold", "at_issuance"),
    ("inspected", "preset", "at_application"),
    ("inspected", "on_hold", "at_issuance"),
    ("preset", "notified", "at_issuance"),
    ("preset", "mailed", "at_application"),
    ("preset", "on_hold", "at_application"),
    ("notified", "issued", "at_issuance"),
    ("notified", "returned", "at_issuance"),
    ("notified", "reminded", "at_issuance"),
    ("notified", "on_hold", "at_issuance"),
    ("reminded", "issued", "at_issuance"),
    ("reminded", "returned", "at_issuance"),
    ("reminded", "on_hold", "at_issuance"),
    ("reminded", "disposed", "at_issuance"),
    ("returned", "notified", "at_application"),
    ("returned", "issued", "at_issuance"),
    ("returned", "on_hold", "at_issuance"),
    ("returned", "disposed", "at_issuance"),
    ("mailed", "issued", "at_application"),
    ("mailed", "returned", "at_application"),
    ("mailed", "on_hold", "at_application"),
    ("on_hold", "disposed", "at_issuance"),
]
ILLEGAL = [
    ("delivered", "preset", "at_issuance", "「納品」から「交付前設定済」へは進められません"),
    ("delivered", "issued", "at_issuance", "「納品」から「交付済」へは進められません"),
    ("inspected", "notified", "at_issuance", "「検品済」から「交付通知書発送済」へは進められません"),
    ("preset", "mailed", "at_issuance", "郵送できるのは申請時来庁のカードだけです"),
    ("preset", "notified", "at_application", "申請時来庁のカードは交付通知書ではなく郵送します"),
    ("notified", "inspected", "at_issuance", "「交付通知書発送済」から「検品済」へは進められません"),
    ("notified", "disposed", "at_issuance", "「交付通知書発送済」から「廃棄」へは進められません"),
    ("issued", "notified", "at_issuance", "既に交付済です"),
    ("disposed", "inspected", "at_issuance", "既に廃棄済です"),
    ("inspected", "inspected", "at_issuance", "既に「検品済」です"),
]


def card_in(stage, visit_type="at_issuance", **fields):
    card = gen_card(visit_type=visit_type, **fields)
    Card.update(stage=stage).where(Card.id == card.id).execute()
    return Card.get_by_id(card.id)


@pytest.fixture
def clerk(database):
    return gen_user("clerk")


@pytest.fixture
def supervisor(database):
    return gen_user("supervisor")


def test_every_listed_transition_is_tested():
    """Does the test table cover every transition the module allows?"""
    listed = {(here, there) for here, targets in TRANSITIONS.items() for there in targets}
    assert listed == {(here, there) for here, there, _visit in LEGAL}


@pytest.mark.parametrize(("here", "there", "visit_type"), LEGAL)
def test_legal_transition_moves_and_writes_one_event(clerk, supervisor, here, there, visit_type):
    """Does every listed transition move the card and write one event with who, when, from, to and note?"""
    card = card_in(here, visit_type)
    user = supervisor if there == "disposed" else clerk
    moved = transition([card.id], there, user=user, note="確認済み", at=AT)
    assert moved.count == 1 and moved.from_stages == {here: 1}
    assert Card.get_by_id(card.id).stage == there
    event = CardEvent.get(CardEvent.card == card.id)
    assert (event.user_id, event.at, event.from_stage, event.to_stage, event.note) == (
        user.id,
        AT,
        here,
        there,
        "確認済み",
    )


@pytest.mark.parametrize(("here", "there", "visit_type", "reason"), ILLEGAL)
def test_illegal_transition_is_refused_with_the_reason(supervisor, here, there, visit_type, reason):
    """Is an unlisted transition refused, naming the card and the reason in Japanese, with nothing written?"""
    card = card_in(here, visit_type, issued_at=AT if here == "issued" else None)
    with pytest.raises(TransitionError) as refused:
        transition([card.id], there, user=supervisor, note="理由あり", at=AT)
    assert reason in refused.value.message and card.notice_number in refused.value.message
    assert Card.get_by_id(card.id).stage == here and CardEvent.select().count() == 0


def test_one_illegal_card_in_a_bulk_selection_changes_nothing(clerk):
    """In a selection of 300 cards to 検品済 with one already 交付済, is nothing changed and that card named?"""
    cards = [card_in("delivered") for _ in range(299)]
    issued = card_in("issued", issued_at=datetime.datetime(2026, 11, 2, 9, 0))
    with pytest.raises(TransitionError) as refused:
        transition([card.id for card in cards] + [issued.id], "inspected", user=clerk, at=AT)
    assert issued.notice_number in refused.value.message
    assert "既に交付済です(2026年11月02日)" in refused.value.message
    assert "どれも変更していません" in refused.value.message
    assert Card.select().where(Card.stage == "delivered").count() == 299 and CardEvent.select().count() == 0


def test_bulk_selection_moves_all_with_one_event_each(clerk):
    """Does a selection of 600 cards move at once, with one event per card?"""
    ids = [card_in("delivered").id for _ in range(600)]
    assert transition(ids, "inspected", user=clerk, at=AT).count == 600
    assert Card.select().where(Card.stage == "inspected").count() == 600
    assert CardEvent.select().where(CardEvent.to_stage == "inspected").count() == 600


def test_disposal_needs_a_reason_and_a_supervisor(clerk, supervisor):
    """Is disposal refused without a reason, refused to a clerk, and done by a supervisor with one?"""
    card = card_in("reminded")
    with pytest.raises(TransitionError, match="廃棄の理由を入力してください"):
        transition([card.id], "disposed", user=supervisor, note="  ", at=AT)
    with pytest.raises(TransitionError, match="責任者以上の権限が必要です"):
        transition([card.id], "disposed", user=clerk, note="期限切れ", at=AT)
    assert Card.get_by_id(card.id).stage == "reminded"
    transition([card.id], "disposed", user=supervisor, note="督促後6か月受取なし", at=AT)
    assert Card.get_by_id(card.id).stage == "disposed"


def test_hold_returns_to_the_stage_it_was_held_from(clerk):
    """Does a held card go back only to the stage before the hold?"""
    inspected, notified = card_in("inspected"), card_in("notified")
    transition([inspected.id, notified.id], "on_hold", user=clerk, note="住所確認中", at=AT)
    with pytest.raises(TransitionError, match="保留前の工程「検品済」に戻す"):
        transition([inspected.id], "preset", user=clerk, at=AT)
    assert allowed_targets(Card.get_by_id(inspected.id), held_from="inspected") == ["inspected", "disposed"]
    release_hold([inspected.id, notified.id], user=clerk, at=AT + datetime.timedelta(hours=1))
    assert {card.id: card.stage for card in Card.select()} == {inspected.id: "inspected", notified.id: "notified"}


def test_release_refuses_a_card_that_is_not_held(clerk):
    """Is a release that includes a card not on hold refused as a whole?"""
    held, loose = card_in("inspected"), card_in("preset")
    transition([held.id], "on_hold", user=clerk, at=AT)
    with pytest.raises(TransitionError, match="保留中ではありません"):
        release_hold([held.id, loose.id], user=clerk, at=AT)
    assert Card.get_by_id(held.id).stage == "on_hold"


def test_deadlines_come_from_settings(clerk, database):
    """Do the notice, reminder and disposal dates follow the settings?"""
    settings.put("card_issue_deadline_days", "60")
    settings.put("card_dispose_after_months", "3")
    settings.put("card_reminder_grace_days", "10")
    card = card_in("preset")
    transition([card.id], "notified", user=clerk, at=AT)
    notified = Card.get_by_id(card.id)
    assert notified.notified_on == DAY
    assert notified.issue_deadline == DAY + datetime.timedelta(days=60)
    assert notified.dispose_due == datetime.date(2027, 3, 7)
    later = AT + datetime.timedelta(days=80)
    transition([card.id], "reminded", user=clerk, at=later)
    # 80 + 10 days after 12/7 is Sunday 3/7: the resident is asked to come on Monday.
    assert Card.get_by_id(card.id).issue_deadline == datetime.date(2027, 3, 8)


def test_the_reminder_letters_deadline_is_the_one_recorded(clerk, database):
    """Is the deadline a 督促状 printed on a day gives the same one recording 督促 that day sets?"""
    settings.put("card_reminder_grace_days", "21")
    card = card_in("notified")
    transition([card.id], "reminded", user=clerk, at=AT)
    assert reminder_deadline(DAY) == DAY + datetime.timedelta(days=21) == Card.get_by_id(card.id).issue_deadline


def test_default_deadlines(clerk):
    """With default settings, is the deadline 90 days and disposal 6 months after the notice?"""
    card = card_in("preset")
    transition([card.id], "notified", user=clerk, at=AT)
    notified = Card.get_by_id(card.id)
    assert notified.issue_deadline == datetime.date(2027, 3, 7)
    assert notified.dispose_due == datetime.date(2027, 6, 7)


def test_issue_records_the_time_and_empties_the_box(clerk):
    """Does 交付済 record the time and take the card out of its box?"""
    box = StorageLocation.create(location=gen_location(), code="A-1", cabinet="A")
    card = card_in("notified", storage=box)
    transition([card.id], "issued", user=clerk, at=AT)
    issued = Card.get_by_id(card.id)
    assert issued.issued_at == AT and issued.storage is None


def test_add_months_clamps_to_the_month_end():
    """Is one month after 31 January the last day of February?"""
    assert add_months(datetime.date(2027, 1, 31), 1) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)


def test_reminder_worklist(database):
    """Are only notified cards past the deadline plus the grace days on the 督促対象 list?"""
    settings.put("card_reminder_days_after_deadline", "14")
    due = card_in("notified", issue_deadline=DAY - datetime.timedelta(days=15))
    card_in("notified", issue_deadline=DAY - datetime.timedelta(days=14))
    card_in("reminded", issue_deadline=DAY - datetime.timedelta(days=40))
    card_in("issued", issue_deadline=DAY - datetime.timedelta(days=40))
    assert [card.id for card in reminder_due(DAY)] == [due.id]


def test_disposal_worklist(database):
    """Are only disposable cards whose 廃棄予定日 has passed on the 廃棄対象 list?"""
    past = DAY - datetime.timedelta(days=1)
    reminded = card_in("reminded", dispose_due=past)
    returned = card_in("returned", dispose_due=past - datetime.timedelta(days=3))
    card_in("reminded", dispose_due=DAY)
    card_in("notified", dispose_due=past)
    card_in("disposed", dispose_due=past)
    assert [card.id for card in disposal_due(DAY)] == [returned.id, reminded.id]


def test_unknown_cards_are_refused(clerk):
    """Is a selection with a card id that does not exist refused?"""
    card = card_in("delivered")
    with pytest.raises(TransitionError, match="1件が見つかりません"):
        transition([card.id, card.id + 1000], "inspected", user=clerk, at=AT)
    assert Card.get_by_id(card.id).stage == "delivered"


def test_a_card_moved_meanwhile_aborts_the_whole_move(clerk, monkeypatch):
    """When another clerk moves one card between the check and the write, is nothing of the selection changed?"""
    cards = [card_in("delivered") for _ in range(3)]

    def another_clerk_holds_one(_loaded):
        Card.update(stage="on_hold").where(Card.id == cards[0].id).execute()

    monkeypatch.setattr("rules.card_stages.attach_held_from", another_clerk_holds_one)
    with pytest.raises(TransitionError, match="他の職員が同時に工程を変えた"):
        transition([card.id for card in cards], "inspected", user=clerk, at=AT)
    assert sorted(card.stage for card in Card.select()) == ["delivered", "delivered", "on_hold"]
    assert CardEvent.select().count() == 0
