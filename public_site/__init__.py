"""The residents' site: one blueprint, server-rendered, usable on a phone without JavaScript."""

from public_site.api import api
from public_site.routes import public

__all__ = ["api", "public"]
