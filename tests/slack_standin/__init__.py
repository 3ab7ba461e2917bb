"""A local stand-in for Slack's Web API and SCIM API, plus signed deliveries to the app.

See ``server.SlackStandIn`` (the fake Slack), ``faults.Fault`` (injected failures),
``delivery.SlackDelivery`` (signed events/commands/interactions to the app), ``payloads`` (the
standalone payload builders) and ``fixtures`` (the pytest plugin).
"""

from .defaults import (
    ADMIN_TOKEN,
    BOT_TOKEN,
    DEFAULT_WORKSPACE,
    SIGNING_SECRET,
    ChannelSpec,
    UsergroupSpec,
    UserSpec,
    WorkspaceSpec,
    default_workspace,
)
from .delivery import DeliveryResponse, SlackDelivery
from .faults import Fault
from .payloads import AppIdentity
from .recording import Call
from .server import SlackStandIn
from .workspace import WorkspacePrefs

__all__ = [
    "ADMIN_TOKEN",
    "BOT_TOKEN",
    "DEFAULT_WORKSPACE",
    "SIGNING_SECRET",
    "AppIdentity",
    "Call",
    "ChannelSpec",
    "DeliveryResponse",
    "Fault",
    "SlackDelivery",
    "SlackStandIn",
    "UserSpec",
    "UsergroupSpec",
    "WorkspacePrefs",
    "WorkspaceSpec",
    "default_workspace",
]
