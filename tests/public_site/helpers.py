"""Walking the public booking forms with the test client."""

import re

from tests.factories import gen_slot

BIRTH = "1980-04-01"


def csrf_token(page):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def hidden_fields(page):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def details(slot, purpose="apply", **fields):
    return {
        "purpose": purpose,
        "slot": str(slot.id),
        "name": "安芸 花子",
        "kana": "アキ ハナコ",
        "birth_date": BIRTH,
        "phone": "0887-35-1000",
        "email": "",
        "people": "1",
        "notice_number": "",
        "consent": "y",
        **fields,
    }


def post_details(client, slot, purpose="apply", **fields):
    """GET the details page, then POST the details: returns the response (the confirm page when valid)."""
    page = client.get(f"/book/details?purpose={purpose}&slot={slot.id}").get_data(as_text=True)
    return client.post("/book/details", data={**details(slot, purpose, **fields), "csrf_token": csrf_token(page)})


def confirm_form(client, slot, purpose="apply", **fields):
    """The hidden fields of the confirm page, ready to post to /book/confirm."""
    response = post_details(client, slot, purpose, **fields)
    page = response.get_data(as_text=True)
    assert "予約内容を確認してください" in page, page
    return {**hidden_fields(page), "csrf_token": csrf_token(page), "action": "book"}


def book(client, slot=None, purpose="apply", **fields):
    slot = slot or gen_slot()
    return client.post("/book/confirm", data=confirm_form(client, slot, purpose, **fields))
