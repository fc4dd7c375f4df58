"""ホーム: today's reservations per location, cards waiting and staff announcements."""

from flask_admin import expose

from admin_views.base import StaffIndexView
from models import Announcement
from rules.clock import today
from rules.dashboard import cards_waiting, reservations_by_location


class HomeView(StaffIndexView):
    @expose("/")
    def index(self):
        day = today()
        waiting, waiting_total = cards_waiting()
        return self.render(
            "admin/home.html",
            day=day,
            locations=reservations_by_location(day),
            waiting=waiting,
            waiting_total=waiting_total,
            announcements=list(Announcement.current("staff")),
        )
