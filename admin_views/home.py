"""ホーム: today's reservations per location, cards waiting, staff announcements, the staff
site's hours and, for administrators, whether the daily snapshots are being taken."""

from flask import current_app
from flask_admin import expose

import snapshots
from admin_views.base import StaffIndexView, current_role_at_least
from models import Announcement
from rules import settings
from rules.clock import now, today
from rules.dashboard import cards_waiting, reservations_by_location
from rules.staff_hours import StaffHours


class HomeView(StaffIndexView):
    @expose("/")
    def index(self):
        day = today()
        waiting, waiting_total = cards_waiting()
        hours = StaffHours.from_settings(settings.get)
        backups = snapshots.health(current_app.config["BACKUP_DIR"], now()) if current_role_at_least("admin") else None
        return self.render(
            "admin/home.html",
            day=day,
            locations=reservations_by_location(day),
            waiting=waiting,
            waiting_total=waiting_total,
            announcements=list(Announcement.current("staff")),
            staff_hours=hours.closed_reason(now()) or hours.description(),
            snapshot_health=backups,
        )
