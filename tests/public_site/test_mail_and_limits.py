import datetime
import email
import email.policy
import socket

import pytest
import redis
from aiosmtpd.controller import Controller

from app import create_app
from models import Reservation
from rules.clock import today
from tests.factories import gen_slot
from tests.public_site.helpers import book, csrf_token

IN_THREE_DAYS = today() + datetime.timedelta(days=3)
LOCAL_REDIS = "redis://127.0.0.1:6379"


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def read_mail(message):
    body = message.get_body(("plain",)).get_content()
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    return body, attachments


def test_confirmation_mail_goes_through_smtp(request, app_config, smtp_server):
    """Does a booking with an e-mail address send a Japanese confirmation with an .ics over SMTP?"""
    controller, inbox = smtp_server
    app_config.update(SMTP_URL=f"smtp://{controller.hostname}:{controller.port}", MAIL_FROM="yoyaku@city.example")
    client = request.getfixturevalue("client")
    book(client, gen_slot(day=IN_THREE_DAYS), email="hanako@example.jp")
    number = Reservation.get().number
    [message] = inbox.messages
    body, attachments = read_mail(message)
    assert message["To"] == "hanako@example.jp" and message["From"] == "yoyaku@city.example"
    assert number in message["Subject"] and "来庁予約" in message["Subject"]
    assert "安芸 花子 様" in body and number in body and "/reservation" in body
    assert f"UID:{number}@kofu" in attachments[f"kofu-{number}.ics"]


def test_no_address_no_mail(client, database, tmp_path):
    """Is no mail written when the resident gives no address?"""
    book(client, gen_slot(day=IN_THREE_DAYS))
    assert not (tmp_path / "outbox").exists()


def test_failed_mail_keeps_the_booking(request, app_config):
    """When the mail server is down, is the booking kept and the resident told to note the number?"""
    app_config.update(SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    client = request.getfixturevalue("client")
    book(client, gen_slot(day=IN_THREE_DAYS), email="hanako@example.jp")
    page = client.get("/book/done").get_data(as_text=True)
    assert "確認メールを送信できませんでした" in page and Reservation.get().number in page


def lookup_posts(client, times):
    token = csrf_token(client.get("/reservation").get_data(as_text=True))
    data = {"number": "ABCD-2345", "birth_date": "1980-04-01", "csrf_token": token}
    return [client.post("/reservation", data=data) for _ in range(times)]


def test_lookup_is_rate_limited(request, app_config):
    """Is the fourth look-up within a minute refused with a Japanese message when the limit is 3?"""
    app_config.update(RATELIMIT_LOOKUP="3 per minute")
    client = request.getfixturevalue("client")
    responses = lookup_posts(client, 4)
    assert [response.status_code for response in responses] == [200, 200, 200, 429]
    assert "アクセスが集中しています" in responses[-1].get_data(as_text=True)
    assert client.get("/reservation").status_code == 200


@pytest.mark.xdist_group("redis")  # one Redis, shared keys: never two of these at once
def test_rate_limit_in_redis(request, app_config):
    """With Redis as storage, is the limit counted there, shared by every app process?"""
    store = redis.Redis.from_url(LOCAL_REDIS)
    forget_lookup_counts(store)
    app_config.update(RATELIMIT_STORAGE_URI=LOCAL_REDIS, RATELIMIT_LOOKUP="2 per minute")
    first = request.getfixturevalue("client")
    second = create_app(app_config).test_client()
    assert [response.status_code for response in lookup_posts(first, 2)] == [200, 200]
    assert [response.status_code for response in lookup_posts(second, 1)] == [429]
    assert forget_lookup_counts(store) == 1
    store.close()


def forget_lookup_counts(store):
    """Delete the look-up counters (any key prefix) and return how many there were."""
    keys = list(store.scan_iter("LIMITS:*public-lookup*"))
    if keys:
        store.delete(*keys)
    return len(keys)
