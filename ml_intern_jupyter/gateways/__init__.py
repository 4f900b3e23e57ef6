"""Outbound gateways (Slack): one-way notifications about approvals, errors and finished turns.

``attach_gateways(session)`` is the one call a front end needs; it reads ``session.config.messaging``
and the ``SLACK_*`` / ``ML_INTERN_SLACK_*`` environment (see :mod:`.messaging` for precedence).
"""

from __future__ import annotations

from .messaging import DEFAULT_BASE_URL, DEFAULT_DESTINATION, Destination, MessagingSettings, messaging_settings
from .notifier import Notifier, NotifyError, attach_gateways, format_event
from .slack import SlackClient, SlackError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DESTINATION",
    "Destination",
    "MessagingSettings",
    "Notifier",
    "NotifyError",
    "SlackClient",
    "SlackError",
    "attach_gateways",
    "format_event",
    "messaging_settings",
]
