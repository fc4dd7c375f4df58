"""Writing the append-only 操作ログ. Who, from where and on which URL come from the request."""

import datetime
import json

from flask import has_request_context, request
from flask_login import current_user

from models import AuditLog

ACTION_LABELS = {
    "create": "登録",
    "update": "更新",
    "delete": "削除",
    "login": "ログイン",
    "logout": "ログアウト",
    "login_failed": "ログイン失敗",
    "login_refused_locked": "ロック中のログイン",
    "login_refused_hours": "利用時間外のログイン",
    "staff_hours_signout": "利用時間外のログアウト",
    "lockout": "アカウントロック",
    "unlock": "ロック解除",
    "session_timeout": "時間切れログアウト",
    "password_change": "パスワード変更",
    "export": "CSV出力",
    "pdf": "PDF出力",
    "forbidden": "権限のない操作",
    "view_document": "書類イメージ閲覧",
    "override": "警告を承知で登録",
    "import": "CSV取込",
    "stage": "工程変更",
    "dispose": "廃棄",
    "storage": "保管場所割当",
    "qr_capture": "QR読取登録",
    "qr_capture_undo": "QR読取の取消",
    "qr_capture_close": "QR読取の終了",
    "qr_import": "QRスキャン画像取込",
    "restore": "スナップショットから復元",
    "card_read": "カード読取",
    "card_read_failed": "カード読取の失敗",
}
HIDDEN_FIELDS = frozenset({"password_hash"})


def record(action, *, model="", object_id="", changes=None, detail="", user=None, login=None, origin=None):
    """Append one audit row. ``user`` defaults to the logged-in staff member; ``origin`` (the
    ``request_origin()`` of the request that started it) stands in for the request when the work
    runs in a background thread."""
    ip, path = origin or ("", "")
    if has_request_context():
        ip, path = request_origin()
        if user is None and current_user.is_authenticated:
            user = current_user._get_current_object()
    AuditLog.create(
        user=user,
        login=(login if login is not None else getattr(user, "login", ""))[:64],
        action=action,
        model=model,
        object_id=str(object_id or ""),
        changes=json.dumps(changes, ensure_ascii=False, default=_plain) if changes else "",
        detail=detail,
        ip=ip,
        path=path,
    )


def request_origin():
    """(IP address, URL) of the current request, as an audit row records them."""
    return request.remote_addr or "", request.full_path.rstrip("?")[:255]


def changed_fields(before, after):
    """{field: [old, new]} for every field whose value differs; secrets show as changed only."""
    changes = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old != new and field != "updated_at":
            changes[field] = ["***", "***"] if field in HIDDEN_FIELDS else [old, new]
    return changes


def snapshot(model_instance):
    """The stored field values of a row, secrets masked, ready for ``changes``."""
    return {field: ("***" if field in HIDDEN_FIELDS else value) for field, value in model_instance.__data__.items()}


def _plain(value):
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)
