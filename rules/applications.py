"""交付申請受付 (issue 4): the checks an application must pass, whoever records it. Plain functions.

``normalise_form_id(text) -> str``: full-width digits, spaces and hyphens tidied away.
``application_problems(values) -> {field: message}``: every problem of one application's values
(a dict of the Application fields), empty when it may be saved.
``prefill_from_reservation(reservation, *, user) -> dict``: an application's starting values.
"""

import re
import unicodedata

from rules.clock import today
from rules.kana import is_kana_name

FORM_ID_LENGTH = 23
SEPARATORS = re.compile(r"[\s\-‐―ー−]+")
METHOD_DETAILS = {
    "outreach": ("event_name", "出張申請では、出張先・イベント名を入力してください。"),
    "workplace": ("employer", "勤務地等経由申請では、勤務先を入力してください。"),
}


def normalise_form_id(text):
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))


def form_id_problem(text):
    form_id = normalise_form_id(text)
    if not form_id:
        return "申請書IDを入力してください。"
    if not form_id.isascii() or not form_id.isdigit():
        return "申請書IDは数字だけで入力してください。"
    if len(form_id) != FORM_ID_LENGTH:
        return f"申請書IDは{FORM_ID_LENGTH}桁です(入力は{len(form_id)}桁)。"
    return None


def application_problems(values):
    problems = {}
    form_id = form_id_problem(values.get("application_form_id"))
    if form_id:
        problems["application_form_id"] = form_id
    if values.get("kana") and not is_kana_name(values["kana"]):
        problems["kana"] = "フリガナはカタカナで入力してください。"
    birth_date = values.get("birth_date")
    if birth_date and birth_date > today():
        problems["birth_date"] = "生年月日が未来の日付になっています。"
    if values.get("issue_kind") == "reissue":
        if not values.get("reissue_cause"):
            problems["reissue_cause"] = "申請理由が「再交付」のときは、再交付の理由を選んでください。"
    elif values.get("reissue_cause"):
        problems["reissue_cause"] = "再交付の理由は、申請理由が「再交付」のときだけ選べます。"
    detail = METHOD_DETAILS.get(values.get("method"))
    if detail and not (values.get(detail[0]) or "").strip():
        problems[detail[0]] = detail[1]
    return problems


def prefill_from_reservation(reservation, *, user):
    """What a 申請 reservation already says about the applicant, for a new application."""
    return {
        "name": reservation.name,
        "kana": reservation.kana,
        "birth_date": reservation.birth_date,
        "phone": reservation.phone,
        "location": reservation.slot.location,
        "received_by": user,
        "received_on": today(),
        "note": f"来庁予約 {reservation.number} から作成",
    }
