"""Settings that administrators change at run time: the catalogue, parsing and lookup.

Values are stored as text in the ``setting`` table; a key without a row has its default.
"""

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from models import Setting
from rules.recent import forget, remembered
from rules.staff_hours import parse_hours

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
AGENT_URL_FORM = "エージェントのURLは http://127.0.0.1:8765 の形で、端末自身(127.0.0.1・localhost)を指定してください。"


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: object
    minimum: int | None = None
    check: Callable[[str], object] | None = None  # raises ValueError in Japanese on a bad text

    @property
    def default_text(self):
        """The default as stored and shown: booleans read 「はい」 or 「いいえ」."""
        if isinstance(self.default, bool):
            return "はい" if self.default else "いいえ"
        return str(self.default)

    def parse(self, text):
        """Turn the stored or typed text into a value, or raise ValueError in Japanese."""
        if isinstance(self.default, bool):
            lowered = str(text).strip().lower()
            if lowered in ("1", "true", "yes", "はい", "on"):
                return True
            if lowered in ("0", "false", "no", "いいえ", "off"):
                return False
            raise ValueError(f"「{self.label}」は「はい」か「いいえ」で指定してください。")
        if isinstance(self.default, int):
            try:
                number = int(str(text).strip())
            except ValueError:
                raise ValueError(f"「{self.label}」は整数で指定してください。") from None
            if self.minimum is not None and number < self.minimum:
                raise ValueError(f"「{self.label}」は{self.minimum}以上にしてください。")
            return number
        text = str(text).strip()
        if self.check is not None:
            self.check(text)
        return text


def check_agent_url(text):
    """The card agent's address: empty (the server's own reader) or http(s) on this PC's loopback
    with a port, nothing more; raises ValueError in Japanese."""
    if not text:
        return
    parts = urllib.parse.urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = None
    if (
        parts.scheme not in ("http", "https")
        or parts.hostname not in LOOPBACK_HOSTS
        or port is None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ValueError(AGENT_URL_FORM)


CATALOG = {
    spec.key: spec
    for spec in (
        SettingSpec("municipality_name", "自治体名", "安芸市"),
        SettingSpec("counter_phone", "窓口の電話番号", "0887-35-1000"),
        SettingSpec("public_site_url", "住民向け予約サイトのURL(督促状に印刷します。空欄なら印刷しません)", ""),
        SettingSpec("lockout_threshold", "ロックまでの連続失敗回数", 5, minimum=1),
        SettingSpec("lockout_auto_unlock_minutes", "自動ロック解除までの分数(0は解除しない)", 0, minimum=0),
        SettingSpec("session_idle_minutes", "無操作でログアウトするまでの分数", 30, minimum=1),
        SettingSpec("password_min_length", "パスワードの最小文字数", 10, minimum=8),
        SettingSpec("slot_horizon_days", "時間枠を作成する期間(日)", 90, minimum=1),
        SettingSpec("booking_window_start_days", "Web予約の受付開始(何日後の枠から)", 1, minimum=0),
        SettingSpec("booking_window_end_days", "Web予約の受付終了(何日後の枠まで)", 60, minimum=1),
        SettingSpec("booking_max_people", "1件の予約の最大人数", 5, minimum=1),
        SettingSpec("cancel_deadline_days_before", "変更・取消の期限(来庁日の何日前)", 1, minimum=0),
        SettingSpec("cancel_deadline_hour", "変更・取消の期限(その日の何時)", 17, minimum=0),
        SettingSpec("fee_reissue_card", "再交付手数料 カード(円)", 800, minimum=0),
        SettingSpec("fee_reissue_cert", "再交付手数料 電子証明書(円)", 200, minimum=0),
        SettingSpec("fee_express_card", "特急発行手数料 カード(円)", 1800, minimum=0),
        SettingSpec("fee_express_cert", "特急発行手数料 電子証明書(円)", 200, minimum=0),
        SettingSpec("upload_max_mb", "書類イメージ1ファイルの上限(MB)", 20, minimum=1),
        SettingSpec("upload_max_pages", "書類イメージ1ファイルの上限ページ数", 50, minimum=1),
        SettingSpec("qr_parser", "カード発行一覧表QRの読取形式(mncl1)", "mncl1"),
        SettingSpec("qr_decoder", "スキャン画像のQRコード読取方式(zxing または pyzbar)", "zxing"),
        SettingSpec(
            "card_issue_deadline_days",
            "交付期限(交付通知書の発送日から何日。通知書に書く受取期限の目安3か月)",
            90,
            minimum=1,
        ),
        SettingSpec(
            "card_reminder_days_after_deadline",
            "督促の時期(交付期限を何日過ぎたら。連絡の行き違いを見込んで2週間)",
            14,
            minimum=0,
        ),
        SettingSpec(
            "card_reminder_grace_days", "督促後の交付期限(督促日から何日。督促状の回答期間1か月)", 30, minimum=1
        ),
        SettingSpec(
            "card_dispose_after_months",
            "廃棄予定日(交付通知書の発送から何か月後。受け取られないカードの保管期間)",
            6,
            minimum=1,
        ),
        SettingSpec(
            "staff_site_hours",
            "職員用サイトの利用時間(06:30-23:00 の形式。空欄は終日。管理者はいつでも利用可)",
            "06:30-23:00",
            check=parse_hours,
        ),
        SettingSpec("staff_site_closed_after_third_saturday", "職員用サイトを毎月第3土曜日の翌日に休止する", True),
        SettingSpec("staff_site_closed_new_year", "職員用サイトを12月29日〜1月3日に休止する", True),
        SettingSpec(
            "card_reader_agent_url",
            "窓口端末のカードリーダー用エージェントのURL(例: http://127.0.0.1:8765。空欄ならサーバーのカードリーダー)",
            "",
            check=check_agent_url,
        ),
    )
}


def get(key):
    spec = CATALOG[key]
    text = _stored_values().get(key)
    return spec.default if text is None else spec.parse(text)


def _stored_values():
    """All stored settings (every page reads several), recent to within a few seconds."""
    return remembered("settings", lambda: dict(Setting.select(Setting.key, Setting.value).tuples()))


def put(key, value):
    """Validate and store one setting; returns the parsed value."""
    parsed = CATALOG[key].parse(value)
    Setting.insert(key=key, value=str(value).strip()).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: str(value).strip()}
    ).execute()
    clear_cache()
    return parsed


def clear_cache():
    forget("settings")


def ensure_defaults():
    """Give every catalogue entry a row, so administrators see and edit all of them."""
    rows = [{"key": spec.key, "value": spec.default_text} for spec in CATALOG.values()]
    Setting.insert_many(rows).on_conflict_ignore().execute()
