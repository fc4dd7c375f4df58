"""The OpenAPI 3.1 description of ``/api/v1/``, published at ``/api/v1/openapi.json``."""

from models import PURPOSES
from rules import settings

PURPOSE_CODES = [code for code, _label in PURPOSES]


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _error_response(description):
    return {"description": description, **_json(_ref("ErrorResponse"))}


def _reservation_response(description):
    return {"description": description, **_json({"type": "object", "properties": {"reservation": _ref("Reservation")}})}


LOOKUP_BODY = {
    "required": True,
    **_json(
        {
            "type": "object",
            "required": ["number", "birth_date"],
            "properties": {
                "number": {
                    "type": "string",
                    "description": "予約番号(ハイフン・小文字・全角も可)",
                    "example": "ABCD-2345",
                },
                "birth_date": {"type": "string", "format": "date", "description": "生年月日"},
            },
        }
    ),
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "description": "機械処理用のエラーコード", "example": "slot_full"},
            "field": {"type": ["string", "null"], "description": "エラーの対象項目", "example": "slot"},
            "message": {"type": "string", "description": "利用者向けの日本語メッセージ"},
        },
    },
    "ErrorResponse": {
        "type": "object",
        "properties": {"error": _ref("Error"), "errors": {"type": "array", "items": _ref("Error")}},
    },
    "Reservation": {
        "type": "object",
        "properties": {
            "number": {"type": "string", "example": "ABCD-2345"},
            "status": {"type": "string", "enum": ["booked", "visited", "no_show", "cancelled"]},
            "purpose": {"type": "string", "enum": PURPOSE_CODES},
            "location": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "date": {"type": "string", "format": "date"},
            "starts_at": {"type": "string", "example": "09:00"},
            "ends_at": {"type": "string", "example": "09:30"},
            "people": {"type": "integer"},
            "name": {"type": "string"},
            "kana": {"type": "string"},
            "notice_number": {"type": ["string", "null"]},
            "change_deadline": {"type": "string", "format": "date-time", "description": "変更・取消の期限(日本時間)"},
            "can_change": {"type": "boolean"},
        },
    },
    "NewReservation": {
        "type": "object",
        "required": ["slot_id", "purpose", "name", "kana", "birth_date", "phone"],
        "properties": {
            "slot_id": {"type": "integer", "description": "availability の slots[].id"},
            "purpose": {"type": "string", "enum": PURPOSE_CODES},
            "name": {"type": "string", "maxLength": 100, "description": "氏名(漢字)"},
            "kana": {"type": "string", "maxLength": 100, "description": "フリガナ(カタカナ・ひらがな)"},
            "birth_date": {"type": "string", "format": "date"},
            "phone": {"type": "string", "maxLength": 20},
            "email": {"type": "string", "maxLength": 254, "description": "任意。指定すると確認メールを送ります"},
            "people": {"type": "integer", "minimum": 1, "default": 1},
            "notice_number": {"type": "string", "description": "交付(collect)のとき必須: 英数3桁-数字6桁"},
            "submission_token": {
                "type": "string",
                "minLength": 16,
                "maxLength": 64,
                "description": "二重送信防止: 同じ値で再送すると最初の予約を返す",
            },
        },
    },
}


def openapi_document():
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{settings.get('municipality_name')} マイナンバーカード来庁予約 API",
            "version": "1",
            "description": "Web予約と同じ規則・同じ日本語メッセージで来庁予約を扱います。"
            "エラーは error.code(機械処理用)と error.message(日本語)で返します。"
            "POST には利用回数の制限があり、超えると 429 を返します。",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/purposes": {"get": {"summary": "予約の種類", "responses": {"200": {"description": "一覧"}}}},
            "/locations": {"get": {"summary": "予約できる場所", "responses": {"200": {"description": "一覧"}}}},
            "/availability": {
                "get": {
                    "summary": "空き状況(日ごとの○△×と時間枠ごとの残り人数)",
                    "parameters": [
                        {"name": "location", "in": "query", "required": True, "schema": {"type": "integer"}},
                        {"name": "purpose", "in": "query", "required": True, "schema": {"enum": PURPOSE_CODES}},
                        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
                    ],
                    "responses": {"200": {"description": "空き状況"}, "422": _error_response("指定の誤り")},
                }
            },
            "/reservations": {
                "post": {
                    "summary": "予約する",
                    "requestBody": {"required": True, **_json(_ref("NewReservation"))},
                    "responses": {
                        "201": _reservation_response("予約しました"),
                        "200": _reservation_response("同じ submission_token の予約が既にあります"),
                        "404": _error_response("時間枠が見つかりません"),
                        "409": _error_response("満席です"),
                        "422": _error_response("入力内容の誤り・重複予約・交付通知書の照合不一致など"),
                        "429": _error_response("利用回数の制限を超えました"),
                    },
                }
            },
            "/reservations/lookup": {
                "post": {
                    "summary": "予約番号と生年月日で予約を確認する",
                    "requestBody": LOOKUP_BODY,
                    "responses": {
                        "200": _reservation_response("予約"),
                        "404": _error_response("見つかりません"),
                        "429": _error_response("利用回数の制限を超えました"),
                    },
                }
            },
            "/reservations/cancel": {
                "post": {
                    "summary": "予約番号と生年月日で予約を取り消す(期限まで)",
                    "requestBody": LOOKUP_BODY,
                    "responses": {
                        "200": _reservation_response("取り消しました"),
                        "404": _error_response("見つかりません"),
                        "422": _error_response("期限切れ・取消済みなど"),
                        "429": _error_response("利用回数の制限を超えました"),
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
