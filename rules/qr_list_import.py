"""Scanned カード発行一覧表 (issue 5, item 2): the codes decoded from every page
(``devices/qr_decode.py``) → a report per page (what each code would do, codes that do not
parse, pages without a readable code) → registration of all codes, or of none.

Each code goes through ``rules/card_capture.py``, as a scan at the QR読取登録 screen would. A
file is registered only when every page has codes, every code parses and none is refused; the
same code twice in the file counts once (重複).
"""

from dataclasses import dataclass, field

from database import write_transaction
from models import db
from rules import card_capture

IMPORT_NOTE = "QR一括登録(スキャン画像)"
NO_CODE = "QRコードが見つかりません。向き・解像度(200dpi以上)を確かめて読み取り直してください。"


@dataclass(frozen=True)
class CodeLine:
    page: int
    outcome: str
    reason: str
    shown: str
    visit_type: str | None = None
    code: object = None


@dataclass
class PageReport:
    number: int
    lines: list = field(default_factory=list)
    problems: list = field(default_factory=list)


@dataclass
class Report:
    pages: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    applied: bool = False

    @property
    def lines(self):
        return [line for page in self.pages for line in page.lines]

    @property
    def ok(self):
        return (
            not self.problems
            and not any(page.problems for page in self.pages)
            and all(line.outcome != "error" for line in self.lines)
            and bool(self.lines)
        )

    def counts(self):
        """{outcome: {visit_type or "": count}}, as ``card_capture.session_counts`` gives them."""
        counts = {outcome: {} for outcome in card_capture.OUTCOME_LABELS}
        for line in self.lines:
            by_visit = counts[line.outcome]
            by_visit[line.visit_type or ""] = by_visit.get(line.visit_type or "", 0) + 1
        return counts


def plan(decoded_pages):
    """What registering the decoded pages would do; writes nothing."""
    report = Report()
    if not decoded_pages:
        report.problems.append("ページがありません。")
    first_seen = {}
    for decoded in decoded_pages:
        page = PageReport(decoded.number)
        report.pages.append(page)
        if not decoded.texts and not decoded.unreadable:
            page.problems.append(NO_CODE)
        if decoded.unreadable:
            page.problems.append(f"読み取れないQRコードが{decoded.unreadable}個あります。読み取り直してください。")
        page.lines.extend(_line(decoded.number, text, first_seen) for text in decoded.texts)
    return report


def _line(page_number, text, first_seen):
    code, error = card_capture.parse(text)
    if error:
        return CodeLine(page_number, "error", error.reason, card_capture.masked(text)[: card_capture.SHOWN_LENGTH])
    shown = f"{code.kana} {code.notice_number} 申請書ID {code.application_form_id}"
    earlier = first_seen.get(code.application_form_id)
    if earlier is not None:
        outcome, reason = _repeat(earlier, code)
        return CodeLine(page_number, outcome, reason, shown, code.visit_type)
    first_seen[code.application_form_id] = (page_number, code)
    result = card_capture.classify(code)
    return CodeLine(page_number, result.outcome, result.reason, shown, code.visit_type, code)


def _repeat(earlier, code):
    page_number, earlier_code = earlier
    if earlier_code == code:
        return "duplicate", f"このファイルの{page_number}ページ目と同じコードです(1件として登録します)。"
    return "error", f"このファイルの{page_number}ページ目に、同じ申請書IDで内容の違うコードがあります。"


def apply(decoded_pages, user=None):
    """Register every code of the pages, or none; the report says which and why."""
    with write_transaction(db) as transaction:
        report = plan(decoded_pages)
        if not report.ok:
            return report
        for line in report.lines:
            if line.code is None or line.outcome == "duplicate":
                continue
            result = card_capture.register_code(line.code, user, note=IMPORT_NOTE)
            if result.outcome == "error":
                transaction.rollback()
                report.problems.append(f"{line.page}ページ目: {result.reason}(何も登録しませんでした)")
                return report
        report.applied = True
    return report


def report_lines(report):
    """The report as lines of Japanese text, for the command line and the 操作ログ."""
    lines = []
    for page in report.pages:
        lines.append(f"{page.number}ページ目: QRコード {len(page.lines)}個")
        lines.extend(f"  {problem}" for problem in page.problems)
        for line in page.lines:
            label = card_capture.OUTCOME_LABELS[line.outcome]
            lines.append(f"  {label}: {line.shown} — {line.reason}")
    lines.extend(report.problems)
    lines.extend(card_capture.count_lines(report.counts()))
    if report.applied:
        lines.append("登録しました。")
    elif not report.ok:
        lines.append("誤りがあるため、何も登録しませんでした。")
    return lines


def audit_detail(filename, report):
    """One line for the 操作ログ: the file, its pages and the counts."""
    return f"{filename}({len(report.pages)}ページ) " + " ".join(card_capture.count_lines(report.counts()))
