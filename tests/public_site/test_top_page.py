import datetime

from rules.clock import now
from tests.factories import gen_announcement


def test_top_page_shows_public_announcements_only(client, database):
    """Does the top page show current public and maintenance notices, most important first, and no staff ones?"""
    gen_announcement(title="年末年始の休業", audience="both", priority=1)
    gen_announcement(title="予約サイト停止", audience="public", maintenance=True)
    gen_announcement(title="職員向け連絡", audience="staff")
    gen_announcement(title="来週から掲載", audience="public", starts_at=now() + datetime.timedelta(days=7))
    page = client.get("/").get_data(as_text=True)
    assert "マイナンバーカードの来庁予約" in page
    assert "年末年始の休業" in page and "【メンテナンス】予約サイト停止" in page
    assert "職員向け連絡" not in page and "来週から掲載" not in page
    assert page.index("年末年始の休業") < page.index("予約サイト停止")


def test_unknown_page_is_a_japanese_404(client, database):
    """Is a missing page answered in Japanese?"""
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "ページが見つかりません。" in response.get_data(as_text=True)
