"""時間枠の週表示: booked/capacity of every slot of a location for a week, and making the slot
rows for the horizon from the rules (supervisors)."""

import datetime

from flask import flash, redirect, request, url_for
from flask_admin import expose

import audit
from admin_views.base import StaffPage
from models import Location, db
from rules import settings
from rules.clock import today
from rules.slots import generate_slots, week_grid


class SlotCalendarView(StaffPage):
    min_role = "viewer"
    view_roles = {"generate": "supervisor"}

    @expose("/")
    def index(self):
        locations = list(Location.in_order())
        wanted = request.args.get("location", type=int)
        location = next((item for item in locations if item.id == wanted), locations[0] if locations else None)
        monday = _monday(request.args.get("week"))
        days, times, cells = week_grid(location.id, monday) if location else ([], [], {})
        return self.render(
            "admin/slot_calendar.html",
            locations=locations,
            location=location,
            monday=monday,
            days=days,
            times=times,
            cells=cells,
            horizon=settings.get("slot_horizon_days"),
            previous_week=monday - datetime.timedelta(days=7),
            next_week=monday + datetime.timedelta(days=7),
        )

    @expose("/generate", methods=("POST",))
    def generate(self):
        first = today()
        last = first + datetime.timedelta(days=settings.get("slot_horizon_days"))
        with db.atomic():
            created = generate_slots(first, last)
            audit.record("create", model="Slot", detail=f"時間枠を作成 {first}〜{last}: {created}件")
        flash(
            f"{first:%Y/%m/%d}〜{last:%Y/%m/%d} の時間枠を{created}件作成しました(既存の枠はそのままです)。", "success"
        )
        return redirect(url_for(".index", location=request.form.get("location")))


def _monday(text):
    try:
        day = datetime.date.fromisoformat(text or "")
    except ValueError:
        day = today()
    return day - datetime.timedelta(days=day.weekday())
