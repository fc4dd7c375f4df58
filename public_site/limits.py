"""Rate limits shared by the HTML site and the JSON API: one bucket per client address, so
switching between them does not double a client's allowance. Storage: config
``RATELIMIT_STORAGE_URI`` (memory, or Redis via ``KOFU_RATELIMIT_STORAGE``)."""

from flask import current_app

from extensions import limiter

booking_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_BOOKING"], scope="public-booking", methods=["POST"]
)
lookup_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_LOOKUP"], scope="public-lookup", methods=["POST"]
)
