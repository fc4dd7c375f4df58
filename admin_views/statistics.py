"""集計: daily counts for a period, shown as a table with bars and downloadable as CSV."""

from flask import request
from flask_admin import expose

import audit
from admin_views.base import StaffPage, csv_download, csv_text, parse_period
from rules.clock import today
from rules.statistics import daily_counts

COLUMNS = (("reserved", "予約人数"), ("visited", "来庁人数"), ("applications", "申請受付"), ("issued", "交付"))
MAX_DAYS = 366


class DailyStatisticsView(StaffPage):
    min_role = "supervisor"

    @expose("/")
    def index(self):
        start, end, error = _period(request.args)
        rows = daily_counts(start, end)
        peak = max([row[key] for row in rows for key, _ in COLUMNS] + [1])
        return self.render(
            "admin/statistics.html", rows=rows, columns=COLUMNS, peak=peak, start=start, end=end, error=error
        )

    @expose("/csv")
    def download(self):
        start, end, _error = _period(request.args)
        header = ["日付", *(label for _, label in COLUMNS)]
        lines = [[row["date"].isoformat(), *(row[key] for key, _ in COLUMNS)] for row in daily_counts(start, end)]
        audit.record("export", model="集計", detail=f"日別集計 {start}〜{end}")
        return csv_download(csv_text([header, *lines]), f"daily_{start}_{end}.csv")


def _period(args):
    """The requested period, or this month so far; an unusable request falls back with a message."""
    end_default = today()
    start_default = end_default.replace(day=1)
    try:
        start, end = parse_period(
            args.get("start") or start_default.isoformat(), args.get("end") or end_default.isoformat()
        )
    except ValueError as error:
        return start_default, end_default, str(error)
    if end < start or (end - start).days >= MAX_DAYS:
        return start_default, end_default, f"期間は開始日から終了日まで、{MAX_DAYS}日以内で指定してください。"
    return start, end, None
