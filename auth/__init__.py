"""Staff accounts: sign-in with lockout, sign-out, idle timeout, the staff site's hours and
password change."""

from auth.hours import enforce_staff_hours
from auth.routes import auth
from extensions import login_manager
from models import User


def register_auth(app):
    login_manager.init_app(app)
    login_manager.user_loader(User.from_session)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "ログインしてください。"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.register_blueprint(auth)
    app.before_request(enforce_staff_hours)
