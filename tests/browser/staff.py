"""Helpers for the staff browser tests: signing in through the real login page, recording tones."""

from playwright.sync_api import expect

from tests.factories import PASSWORD

# Two shared cores: rendering PDFs and scans can take longer than playwright's default 5 s.
SLOW = 20_000


def sign_in(page, live_server, login):
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("ログインID").fill(login)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="今日の状況")).to_be_visible(timeout=SLOW)


# Run before a page's scripts: keeps the frequency of every tone the page plays.
RECORD_TONES = """
window.recordedTones = [];
const PageAudioContext = window.AudioContext;
window.AudioContext = class extends PageAudioContext {
  createOscillator() {
    const oscillator = super.createOscillator();
    const start = oscillator.start.bind(oscillator);
    oscillator.start = (when) => { window.recordedTones.push(oscillator.frequency.value); start(when); };
    return oscillator;
  }
};
"""
