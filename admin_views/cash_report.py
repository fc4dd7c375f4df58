"""手数料日計表: one location's fees of one day on screen, as PDF and as CSV."""

from flask import abort, request
from flask_admin import expose

import audit
import pdf
from admin_views.base import StaffPage, csv_download, parse_day
from models import Location
from rules import fees
from rules.clock import today


class DailyCashReportPage(StaffPage):
    min_role = "clerk"

    @expose("/")
    def index(self):
        report, error = _requested_report()
        return self.render(
            "admin/daily_cash_report.html",
            report=report,
            error=error,
            locations=list(Location.in_order()),
            fee_labels=fees.FEE_LABELS,
            receipt_number=fees.receipt_number,
        )

    @expose("/pdf")
    def pdf(self):
        report, _error = _requested_report()
        return pdf.pdf_response(
            "daily_cash_report.html",
            f"日計表_{report.location.code}_{report.day}.pdf",
            model="FeePayment",
            detail=f"日計表 {report.location.name} {report.day}",
            **fees.daily_report_context(report),
        )

    @expose("/csv")
    def csv(self):
        report, _error = _requested_report()
        audit.record("export", model="FeePayment", detail=f"日計表CSV {report.location.name} {report.day}")
        return csv_download(fees.daily_report_csv(report), f"cash_report_{report.location.code}_{report.day}.csv")


def _requested_report():
    """The report asked for by ?location=&day=, or today's at the first location, with a message
    when the request could not be used as it was."""
    error = None
    try:
        day = parse_day(request.args.get("day") or today().isoformat())
    except ValueError as problem:
        day, error = today(), str(problem)
    location = (
        Location.get_or_none(Location.id == request.args.get("location", type=int)) or Location.in_order().first()
    )
    if location is None:
        abort(404)
    return fees.daily_report(location, day), error
