"""The issuance process of a card (交付工程, DESIGN.md §3.2): the one place that says which
stage may follow which, moves a selection of cards all-or-nothing, and keeps the deadlines.

Main path: 納品 delivered → 検品済 inspected → 交付前設定済 preset → 交付通知書発送済 notified
→ 交付済 issued. Side branches: 返戻 returned, 督促 reminded, 郵送 mailed, 保留 on_hold,
廃棄 disposed.

Allowed transitions (from → to), with the conditions the table alone does not say:

    delivered  → inspected, on_hold
    inspected  → preset, on_hold
    preset     → notified (交付時来庁 only), mailed (申請時来庁 only), on_hold
    notified   → issued, returned, reminded, on_hold
    reminded   → issued, returned, on_hold, disposed
    returned   → notified (the notice is sent again), issued, on_hold, disposed
    mailed     → issued (delivery confirmed), returned (the mail came back), on_hold
    on_hold    → the stage the card was held from, disposed
    issued, disposed: final.

Why: a 申請時来庁 card was verified when the resident applied, so it is mailed instead of
notified; a returned mail then becomes an ordinary notice to collect it at the counter.
Disposal is the end of a card nobody collected, so it comes only after a reminder, a
returned notice or a hold, and it needs a supervisor and a reason.

Dates each stage sets (the ``card_*`` settings):
    notified: notified_on, issue_deadline = notice + card_issue_deadline_days,
              dispose_due = notice + card_dispose_after_months.
    reminded: issue_deadline = reminder + card_reminder_grace_days.
    issued:   issued_at; the card leaves its box (storage cleared).
    mailed, disposed: the card leaves its box.

Worklists: 督促対象 are notified cards whose deadline passed card_reminder_days_after_deadline
days ago; 廃棄対象 are cards in a stage disposal may follow whose dispose_due has passed.
"""

import calendar
import datetime
from dataclasses import dataclass

from peewee import fn

from models import CARD_STAGES, VISIT_TYPES, Card, CardEvent, db
from rules import settings
from rules.office_days import next_open_day
from rules.roles import role_at_least

STAGE_LABELS = dict(CARD_STAGES)
VISIT_TYPE_LABELS = dict(VISIT_TYPES)
TRANSITIONS = {
    "delivered": ("inspected", "on_hold"),
    "inspected": ("preset", "on_hold"),
    "preset": ("notified", "mailed", "on_hold"),
    "notified": ("issued", "returned", "reminded", "on_hold"),
    "reminded": ("issued", "returned", "on_hold", "disposed"),
    "returned": ("notified", "issued", "on_hold", "disposed"),
    "mailed": ("issued", "returned", "on_hold"),
    "on_hold": ("disposed",),  # plus the stage the card was held from: see _refusal
    "issued": (),
    "disposed": (),
}
FINAL_STAGES = ("issued", "disposed")
DISPOSABLE_FROM = tuple(stage for stage, targets in TRANSITIONS.items() if "disposed" in targets)
LEAVES_STORAGE = ("issued", "mailed", "disposed")
DISPOSE_ROLE = "supervisor"
CHUNK = 500  # ids per IN (...) list, well under SQLite's parameter limit


class TransitionError(ValueError):
    """The whole selection was refused; ``message`` says why in Japanese."""

    def __init__(self, message, refused=()):
        super().__init__(message)
        self.message = message
        self.refused = list(refused)  # [(card, reason)]


@dataclass(frozen=True)
class Moved:
    count: int
    from_stages: dict  # from_stage → how many cards left it


def card_label(card):
    return f"{card.notice_number or card.application_form_id}({card.name})"


def allowed_targets(card, held_from=None):
    """The stages this card may move to next, in the table's order."""
    targets = list(TRANSITIONS[card.stage])
    if card.stage == "on_hold" and held_from:
        targets.insert(0, held_from)
    return [target for target in targets if _condition_refusal(card, target) is None]


def transition(card_ids, to_stage, *, user, note="", at):
    """Move every card in ``card_ids`` to ``to_stage``, or none of them (TransitionError)."""
    if to_stage not in STAGE_LABELS:
        raise TransitionError(f"工程「{to_stage}」はありません。")
    return _move(card_ids, lambda card: to_stage, user=user, note=note, at=at)


def release_hold(card_ids, *, user, note="", at):
    """Bring held cards back to the stage each was held from, all or none."""
    return _move(card_ids, lambda card: card.held_from, user=user, note=note, at=at, releasing=True)


def _move(card_ids, target_of, *, user, note, at, releasing=False):
    note = (note or "").strip()
    cards = _load(card_ids)
    targets = {card.id: target_of(card) for card in cards}
    if "disposed" in targets.values():
        _check_disposal(user, note)
    refused = [(card, reason) for card in cards if (reason := _refusal(card, targets[card.id], releasing))]
    if refused:
        raise TransitionError(_refusal_message(refused, targets), refused)
    with db.atomic():
        moved = {}
        for (from_stage, to_stage), group in _groups(cards, targets).items():
            _update(group, from_stage, to_stage, at)
            moved[from_stage] = moved.get(from_stage, 0) + len(group)
        CardEvent.insert_many(
            [
                {
                    "card": card.id,
                    "at": at,
                    "user": user,
                    "from_stage": card.stage,
                    "to_stage": targets[card.id],
                    "note": note[:200],
                }
                for card in cards
            ]
        ).execute()
    return Moved(len(cards), moved)


def _load(card_ids):
    ids = sorted({int(card_id) for card_id in card_ids})
    if not ids:
        raise TransitionError("カードが選ばれていません。")
    cards = []
    for start in range(0, len(ids), CHUNK):
        cards.extend(Card.select().where(Card.id.in_(ids[start : start + CHUNK])).order_by(Card.id))
    if len(cards) != len(ids):
        raise TransitionError(
            f"選んだカードのうち{len(ids) - len(cards)}件が見つかりません(削除された可能性があります)。"
        )
    attach_held_from(cards)
    return cards


def attach_held_from(cards):
    """``card.held_from``: for a held card, the stage it was in when it was put on hold."""
    held = [card.id for card in cards if card.stage == "on_hold"]
    latest = {}
    for start in range(0, len(held), CHUNK):
        rows = (
            CardEvent.select(CardEvent.card, CardEvent.from_stage)
            .where(CardEvent.card.in_(held[start : start + CHUNK]), CardEvent.to_stage == "on_hold")
            .order_by(CardEvent.card, CardEvent.at, CardEvent.id)
            .tuples()
        )
        latest.update(rows)  # ordered by time, so the last hold wins
    for card in cards:
        card.held_from = latest.get(card.id)


def _check_disposal(user, note):
    if user is None or not role_at_least(user.role, DISPOSE_ROLE):
        raise TransitionError("廃棄は責任者以上の権限が必要です。")
    if not note:
        raise TransitionError("廃棄の理由を入力してください。")


def _refusal(card, to_stage, releasing):
    """Why ``card`` may not move to ``to_stage``, in Japanese; None when it may."""
    here, there = STAGE_LABELS[card.stage], STAGE_LABELS.get(to_stage, "")
    if card.stage == "issued":
        when = f"({card.issued_at:%Y年%m月%d日})" if card.issued_at else ""
        return f"既に交付済です{when}。"
    if card.stage == "disposed":
        return "既に廃棄済です。"
    if releasing and card.stage != "on_hold":
        return f"保留中ではありません(現在「{here}」)。"
    if releasing and not card.held_from:
        return "保留前の工程が履歴にないため、戻す先が分かりません。"
    if card.stage == to_stage:
        return f"既に「{here}」です。"
    allowed = TRANSITIONS[card.stage]
    if card.stage == "on_hold" and to_stage not in allowed:
        if to_stage != card.held_from:
            return (
                f"保留中のカードは保留前の工程「{STAGE_LABELS.get(card.held_from, '不明')}」に戻すか廃棄するだけです。"
            )
    elif to_stage not in allowed:
        nexts = "・".join(f"「{STAGE_LABELS[stage]}」" for stage in allowed)
        return f"「{here}」から「{there}」へは進められません(次にできるのは{nexts})。"
    return _condition_refusal(card, to_stage)


def _condition_refusal(card, to_stage):
    if to_stage == "mailed" and card.visit_type != "at_application":
        return "郵送できるのは申請時来庁のカードだけです(このカードは交付時来庁)。"
    if to_stage == "notified" and card.stage == "preset" and card.visit_type == "at_application":
        return "申請時来庁のカードは交付通知書ではなく郵送します。"
    return None


def _refusal_message(refused, targets):
    card, reason = refused[0]
    target = STAGE_LABELS.get(targets[card.id], "保留前の工程")
    message = f"カード {card_label(card)} を「{target}」にできません: {reason}"
    if len(refused) > 1:
        message += f" ほかに{len(refused) - 1}件も移せません。"
    return message + " 選んだカードはどれも変更していません。"


def _groups(cards, targets):
    groups = {}
    for card in cards:
        groups.setdefault((card.stage, targets[card.id]), []).append(card.id)
    return groups


def _update(ids, from_stage, to_stage, at):
    """One guarded UPDATE per chunk: a card another clerk moved meanwhile aborts the whole move."""
    fields = {Card.stage: to_stage, Card.updated_at: at, **dates_for(to_stage, at)}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        changed = Card.update(fields).where(Card.id.in_(chunk), Card.stage == from_stage).execute()
        if changed != len(chunk):
            raise TransitionError(
                "他の職員が同時に工程を変えたカードがあるため、どれも変更していません。もう一度お試しください。"
            )


def dates_for(to_stage, at):
    """The card fields a move to ``to_stage`` at ``at`` sets: deadlines from settings, storage freed."""
    day = at.date()
    if to_stage == "notified":
        return {
            Card.notified_on: day,
            Card.issue_deadline: day + datetime.timedelta(days=settings.get("card_issue_deadline_days")),
            Card.dispose_due: add_months(day, settings.get("card_dispose_after_months")),
        }
    if to_stage == "reminded":
        return {Card.issue_deadline: reminder_deadline(day)}
    if to_stage == "issued":
        return {Card.issued_at: at, Card.storage: None}
    if to_stage in LEAVES_STORAGE:
        return {Card.storage: None}
    return {}


def reminder_deadline(day):
    """The new 交付期限 of a card reminded on ``day``, which the 督促状 printed that day also gives:
    the grace days later, moved on to a day the city hall is open, since the resident is to come then."""
    return next_open_day(day + datetime.timedelta(days=settings.get("card_reminder_grace_days")))


def add_months(day, months):
    """The same day ``months`` later, or the month's last day when it has fewer days (1/31 + 1 → 2/28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def reminder_due(today):
    """督促対象: notified cards whose 交付期限 passed the configured number of days ago."""
    cutoff = today - datetime.timedelta(days=settings.get("card_reminder_days_after_deadline"))
    return (
        Card.select()
        .where(Card.stage == "notified", Card.issue_deadline < cutoff)
        .order_by(Card.issue_deadline, Card.kana_key)
    )


def disposal_due(today):
    """廃棄対象: cards disposal may follow whose 廃棄予定日 has passed."""
    return (
        Card.select()
        .where(Card.stage.in_(DISPOSABLE_FROM), Card.dispose_due < today)
        .order_by(Card.dispose_due, Card.kana_key)
    )


def overdue(today):
    """The condition of a card still waiting for its resident after its 交付期限."""
    return Card.stage.in_(("notified", "reminded", "returned")) & (Card.issue_deadline < today)


def counts_by_visit_type_and_stage(query=None):
    """{(visit_type, stage): count} over ``query`` (default: the whole ledger), in one GROUP BY."""
    query = (
        (query or Card.select())
        .select(Card.visit_type, Card.stage, fn.COUNT(Card.id))
        .group_by(Card.visit_type, Card.stage)
    )
    return {(visit_type, stage): count for visit_type, stage, count in query.tuples()}
