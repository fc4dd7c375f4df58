"""集計グラフ: one figure per day, week or month, broken down, as a chart, a table and a CSV."""

from flask import Response, request, url_for
from flask_admin import expose

import audit
from admin_views.base import StaffPage, csv_download, csv_text, parse_period
from charts import stacked_bars_png
from rules.card_stages import add_months
from rules.clock import today
from rules.statistics_report import ALL, BREAKDOWNS, SUBJECTS, UNITS, build_report


class StatisticsReportView(StaffPage):
    min_role = "supervisor"

    @expose("/")
    def index(self):
        choice = _choice(request.args)
        report, error = _report_or_error(choice)
        return self.render(
            "admin/statistics_report.html",
            choice=choice,
            report=report,
            error=error,
            subjects=SUBJECTS,
            breakdowns=BREAKDOWNS,
            units=UNITS,
            chart_url=url_for(".chart", **choice),
            csv_url=url_for(".download", **choice),
        )

    @expose("/chart.png")
    def chart(self):
        report, error = _report_or_error(_choice(request.args))
        if error:
            return Response(error, status=400, mimetype="text/plain")
        series = list(zip(report.columns, zip(*(values for _, values, _ in report.rows), strict=True), strict=True))
        png = stacked_bars_png([label for label, _, _ in report.rows], series, report.subject)
        return Response(png, mimetype="image/png")

    @expose("/csv")
    def download(self):
        choice = _choice(request.args)
        report, error = _report_or_error(choice)
        if error:
            return Response(error, status=400, mimetype="text/plain")
        header = ["期間", *report.columns, "合計"]
        lines = [[label, *values, total] for label, values, total in report.rows]
        audit.record("export", model="集計", detail=f"集計グラフ {report.subject} {choice['start']}〜{choice['end']}")
        name = f"statistics_{choice['subject']}_{choice['start']}_{choice['end']}.csv"
        return csv_download(csv_text([header, *lines, ["合計", *report.totals, report.total]]), name)


def _choice(args):
    """What the supervisor asked for, with the last twelve months per month as the default."""
    end = today()
    start = add_months(end.replace(day=1), -11)
    return {
        "start": args.get("start") or start.isoformat(),
        "end": args.get("end") or end.isoformat(),
        "subject": args.get("subject", "reserved"),
        "breakdown": args.get("breakdown", "location"),
        "unit": args.get("unit", "month"),
    }


def _report_or_error(choice):
    try:
        start, end = parse_period(choice["start"], choice["end"])
        return build_report(start, end, choice["subject"], choice["breakdown"] or ALL, choice["unit"]), None
    except ValueError as error:  # ReportError included
        return None, str(error)
