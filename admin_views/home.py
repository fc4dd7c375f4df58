"""ホーム: today's reservations per location, cards waiting, staff announcements and the staff
site's hours."""

from flask_admin import expose

from admin_views.base import StaffIndexView
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
        return self.render(
            "admin/home.html",
            day=day,
            locations=reservations_by_location(day),
            waiting=waiting,
            waiting_total=waiting_total,
            announcements=list(Announcement.current("staff")),
            staff_hours=hours.closed_reason(now()) or hours.description(),
        )
