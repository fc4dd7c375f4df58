"""The counter terminal's card agent: when the staff site runs on a server, the card reader is
plugged into the clerk's PC, out of the server's reach. This small service runs on that PC,
listens on the loopback address only, and lends the reader to the staff page open in the PC's
browser (the page calls it with fetch; the setting card_reader_agent_url tells the page where).

Only the staff site's own origin may use it, and only with JSON bodies: a form or script on any
other web page could otherwise post wrong 照合番号B guesses and lock the resident's card.

    python -m devices.agent --origin https://kofu.example.lg.jp [--port 8765] [--reader NAME]

It needs only requirements-agent.txt (Flask, waitress, click, pyscard, cryptography): nothing of
the database or the rest of the app, so a counter PC runs it from a copy of ``devices/``.
"""

import click
import waitress
from flask import Flask, jsonify, request

from devices import card_reader
from devices.mynumber_card import CardError, VerificationError, verification_b

LONGEST_WAIT_SECONDS = 25
WRONG_ORIGIN = "このカードリーダーは、設定されたカード交付システムの画面からしか使えません。"


def create_agent(allowed_origin, reader_name=""):
    agent = Flask("kofu_card_agent")

    @agent.before_request
    def only_the_staff_site():
        if request.headers.get("Origin") != allowed_origin:
            return jsonify(error=WRONG_ORIGIN), 403
        if request.method == "OPTIONS":
            return agent.response_class(status=204)
        if not request.is_json:
            return jsonify(error="JSONで送ってください。"), 415
        return None

    @agent.after_request
    def allow_the_staff_site(response):
        response.headers["Access-Control-Allow-Origin"] = allowed_origin
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Vary"] = "Origin"
        if request.headers.get("Access-Control-Request-Private-Network") == "true":
            response.headers["Access-Control-Allow-Private-Network"] = "true"
        return response

    @agent.post("/read")
    def read():
        fields = request.get_json(silent=True) or {}
        try:
            pin = _verification_b(fields) if fields.get("mode") == "face" else None
            reading = card_reader.read_card(pin, reader_name)
        except VerificationError as error:
            return jsonify(error=error.message, field=error.field)
        except CardError as error:
            return jsonify(error=error.message)
        return jsonify(reading=reading.as_dict())

    @agent.post("/next")
    def next_card():
        wait = _seconds((request.get_json(silent=True) or {}).get("wait"))
        try:
            if not card_reader.wait_for_new_card(wait, reader_name):
                return jsonify(status="waiting")
            reading = card_reader.read_card(None, reader_name)
        except CardError as error:
            return jsonify(status="error", message=error.message)
        return jsonify(status="read", reading=reading.as_dict())

    return agent


def _verification_b(fields):
    """Raises VerificationError for a part that cannot be right."""
    return verification_b(*(str(fields.get(name, "")) for name in ("birth_yymmdd", "expiry_year", "security_code")))


def _seconds(wait):
    try:
        return min(max(float(wait), 0.0), LONGEST_WAIT_SECONDS)
    except (TypeError, ValueError):
        return LONGEST_WAIT_SECONDS


@click.command(help="窓口端末のカードリーダーを、スタッフサイトの画面に 127.0.0.1 で貸し出します。")
@click.option("--origin", required=True, help="スタッフサイトのオリジン(例: https://kofu.example.lg.jp)")
@click.option("--port", default=8765, show_default=True, help="待ち受けるポート")
@click.option("--reader", default="", help="使うカードリーダーの名前(の一部)。省略するとすべて")
def main(origin, port, reader):
    """Serve the card agent on 127.0.0.1 (never on another address: the reader is the PC's own)."""
    click.echo(f"カードリーダーのエージェントを http://127.0.0.1:{port} で起動します({origin} から利用可)。")
    waitress.serve(create_agent(origin.rstrip("/"), reader), host="127.0.0.1", port=port, threads=4)


if __name__ == "__main__":
    main()
