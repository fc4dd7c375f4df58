"""CSV抽出: pick the data, the period and the columns, see how many rows and the first few, then
download them as UTF-8 or CP932 CSV (audited, with what was taken)."""

from flask import Response, request, url_for
from flask_admin import expose

import audit
from admin_views.base import StaffPage, csv_download, csv_text, parse_period
from rules.clock import today
from rules.cp932_csv import Cp932Error, cp932_csv
from rules.extraction import DATASETS, extract

PREVIEW_ROWS = 20
PROBLEMS_SHOWN = 10


class ExtractionView(StaffPage):
    min_role = "supervisor"

    @expose("/")
    def index(self):
        choice = _choice(request.args)
        extraction, error = None, None
        if "preview" in request.args:
            extraction, error = _extraction_or_error(choice)
        return self._render(choice, extraction, error)

    @expose("/csv")
    def download(self):
        choice = _choice(request.args)
        extraction, error = _extraction_or_error(choice)
        if error:
            return self._render(choice, None, error)
        name = f"{choice['dataset']}_{choice['start']}_{choice['end']}.csv"
        if choice["encoding"] == "cp932":
            try:
                body = cp932_csv(extraction.header, extraction.rows)
            except Cp932Error as problem:
                return self._render(choice, extraction, _cp932_message(problem))
            response = Response(body, mimetype="text/csv; charset=Shift_JIS")
            response.headers["Content-Disposition"] = f"attachment; filename={name}"
        else:
            response = csv_download(csv_text([extraction.header, *extraction.rows]), name)
        taken = f"{len(extraction.rows)}件: {'、'.join(extraction.header)}"
        audit.record("export", model=DATASETS[choice["dataset"]].label, detail=f"CSV抽出 {_period(choice)} {taken}")
        return response

    def _render(self, choice, extraction, error):
        return self.render(
            "admin/extraction.html",
            datasets=DATASETS,
            dataset=DATASETS[choice["dataset"]],
            choice=choice,
            extraction=extraction,
            preview=extraction.rows[:PREVIEW_ROWS] if extraction else [],
            preview_rows=PREVIEW_ROWS,
            error=error,
            csv_url=url_for(".download", **_query_args(choice)),
        )


def _cp932_message(problem):
    shown = problem.problems[:PROBLEMS_SHOWN]
    more = f" ほか{len(problem.problems) - len(shown)}件" if len(problem.problems) > len(shown) else ""
    listed = " ".join(each.message for each in shown)
    return f"CP932では出力できません。UTF-8を選ぶか、データを直してください。{listed}{more}"


def _period(choice):
    return f"{choice['start']}〜{choice['end']}"


def _choice(args):
    """What the supervisor asked for; by default every column of this month's reservations."""
    dataset = args.get("dataset") if args.get("dataset") in DATASETS else "reservations"
    first = today().replace(day=1)
    return {
        "dataset": dataset,
        "start": args.get("start") or first.isoformat(),
        "end": args.get("end") or today().isoformat(),
        "columns": args.getlist("column") or [column.key for column in DATASETS[dataset].columns],
        "encoding": "cp932" if args.get("encoding") == "cp932" else "utf-8",
    }


def _query_args(choice):
    return {**{key: value for key, value in choice.items() if key != "columns"}, "column": choice["columns"]}


def _extraction_or_error(choice):
    try:
        start, end = parse_period(choice["start"], choice["end"])
        return extract(choice["dataset"], choice["columns"], start, end), None
    except ValueError as error:  # ExtractionError included
        return None, str(error)
