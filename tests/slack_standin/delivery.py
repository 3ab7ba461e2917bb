"""Signed deliveries to the app under test, over real HTTP (what Slack does to our endpoints).

``SlackDelivery`` builds payloads with :mod:`payloads`, signs them like Slack (§1: ``v0=`` HMAC of
``v0:{timestamp}:{raw body}``; ``X-Slack-Signature`` + ``X-Slack-Request-Timestamp``) and POSTs
them. With a stand-in it issues trigger_ids views.open accepts, response_urls that land back in
the stand-in, and resolves user/channel names (``user_id="alice"`` works).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from . import payloads
from .payloads import AppIdentity
from .server import SlackStandIn
from .state import JsonDict


class DeliveryResponse(NamedTuple):
    """The app's answer: ``status, headers, body = delivery.event(...)`` works too."""

    status: int
    headers: dict[str, str]  # lower-cased names
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackDelivery:
    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        clock: Callable[[], float] = time.time,
        *,
        standin: SlackStandIn | None = None,
        app: AppIdentity | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.clock = clock
        self.standin = standin
        self.timeout = timeout
        if app is None and standin is not None:
            app = AppIdentity(
                team_id=standin.team_id,
                team_domain=standin.domain,
                api_app_id=standin.app_id,
                bot_user_id=standin.bot_user_id,
            )
        self.app = app or payloads.DEFAULT_APP

    # ------------------------------------------------------------------ signing and sending

    def signature_headers(
        self, body: bytes, *, timestamp: int | None = None, bad_signature: bool = False
    ) -> dict[str, str]:
        ts = str(int(self.clock()) if timestamp is None else timestamp)
        secret = "not-the-" + self.signing_secret if bad_signature else self.signing_secret
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        assert signature is not None
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        bad_signature: bool = False,
        timestamp: int | None = None,
        headers: Mapping[str, str] | None = None,
        unsigned: bool = False,
    ) -> DeliveryResponse:
        """POST raw bytes to the app. ``timestamp`` overrides the signed time (stale requests);
        ``unsigned`` sends no signature headers at all."""
        all_headers = {"Content-Type": content_type}
        if not unsigned:
            all_headers.update(
                self.signature_headers(body, timestamp=timestamp, bad_signature=bad_signature)
            )
        all_headers.update(headers or {})
        if not self.app_url.startswith(("http://", "https://")):
            raise ValueError(f"app_url must be http(s): {self.app_url!r}")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.app_url, data=body, headers=all_headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310
                return DeliveryResponse(
                    resp.status,
                    {k.lower(): v for k, v in resp.headers.items()},
                    resp.read().decode("utf-8", "replace"),
                )
        except urllib.error.HTTPError as err:
            return DeliveryResponse(
                err.code,
                {k.lower(): v for k, v in err.headers.items()},
                err.read().decode("utf-8", "replace"),
            )

    def send_json(self, body: JsonDict, **options: Any) -> DeliveryResponse:
        """Events API deliveries are JSON bodies (§1)."""
        return self.post(json.dumps(body).encode(), "application/json", **options)

    def send_form(self, fields: Mapping[str, str], **options: Any) -> DeliveryResponse:
        """Slash commands are form-encoded (§4)."""
        return self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded", **options)

    def send_interaction(self, payload: JsonDict, **options: Any) -> DeliveryResponse:
        """Interactive payloads: form field ``payload=<json>`` (§6)."""
        return self.send_form({"payload": json.dumps(payload)}, **options)

    # ------------------------------------------------------------------ name resolution

    def _user(self, user: str) -> tuple[str, str]:
        if self.standin is not None:
            try:
                user_id = self.standin.resolve_user(user)
                return user_id, self.standin.user_records[user_id].name
            except KeyError:
                pass
        return user, user.lower()

    def _channel(self, channel: str) -> tuple[str, str]:
        if self.standin is not None:
            try:
                channel_id = self.standin.resolve_channel(channel)
                rec = self.standin.channel_records[channel_id]
                return channel_id, "directmessage" if rec.is_im else rec.name
            except KeyError:
                pass
        return channel, channel.lstrip("#")

    def _trigger(self, user_id: str, view_id: str | None = None) -> str:
        if self.standin is None:
            return payloads.fake_trigger_id()
        return self.standin.issue_trigger_id(user_id, view_id=view_id)

    def _response_url(self, kind: str) -> str:
        if self.standin is None:
            return f"https://hooks.slack.com/{kind}/{self.app.team_id}/1/{payloads.new_event_id()}"
        return self.standin.new_response_url(kind)

    def _message(self, message: JsonDict | str, channel_id: str) -> JsonDict:
        if isinstance(message, dict):
            return message
        if self.standin is None:
            raise ValueError("pass the message dict, or give SlackDelivery a stand-in")
        found = self.standin.message(channel_id, message)
        if found is None:
            raise KeyError(f"no message {message} in {channel_id}")
        return found

    def _view(self, view: JsonDict | str | None) -> JsonDict | None:
        if isinstance(view, str):
            if self.standin is None:
                raise ValueError("pass the view dict, or give SlackDelivery a stand-in")
            return self.standin.view(view)
        return view

    # ------------------------------------------------------------------ builders

    def build_event(self, event: JsonDict, event_id: str | None = None) -> JsonDict:
        return payloads.event_envelope(
            event, app=self.app, event_id=event_id, event_time=int(self.clock())
        )

    def build_command(
        self, command: str, text: str = "", user_id: str = "alice", channel_id: str = "random"
    ) -> dict[str, str]:
        uid, uname = self._user(user_id)
        cid, cname = self._channel(channel_id)
        return payloads.slash_command_form(
            command,
            text,
            user_id=uid,
            user_name=uname,
            channel_id=cid,
            channel_name=cname,
            trigger_id=self._trigger(uid),
            response_url=self._response_url("commands"),
            app=self.app,
        )

    def build_message_shortcut(
        self, callback_id: str, user_id: str, message: JsonDict | str, channel: str
    ) -> JsonDict:
        uid, uname = self._user(user_id)
        cid, cname = self._channel(channel)
        return payloads.message_shortcut_payload(
            callback_id,
            user_id=uid,
            user_name=uname,
            channel_id=cid,
            channel_name=cname,
            message=self._message(message, cid),
            trigger_id=self._trigger(uid),
            response_url=self._response_url("actions"),
            app=self.app,
        )

    def build_block_action(
        self,
        action_id: str,
        value: str | None = None,
        user_id: str = "alice",
        *,
        block_id: str | None = None,
        action_type: str = "button",
        action: JsonDict | None = None,
        message: JsonDict | str | None = None,
        channel: str | None = None,
        view: JsonDict | str | None = None,
        state_values: JsonDict | None = None,
        container: JsonDict | None = None,
    ) -> JsonDict:
        """From a message: pass ``message`` (dict or ts) and ``channel``; from a modal or the
        Home tab: pass ``view`` (dict or view id)."""
        uid, uname = self._user(user_id)
        view_dict = self._view(view)
        cid, cname = self._channel(channel) if channel is not None else (None, None)
        msg = self._message(message, cid or "") if message is not None else None
        return payloads.block_actions_payload(
            action_id,
            user_id=uid,
            user_name=uname,
            trigger_id=self._trigger(uid, view_dict.get("id") if view_dict else None),
            value=value,
            block_id=block_id,
            action_type=action_type,
            action=action,
            message=msg,
            channel_id=cid,
            channel_name=cname,
            view=view_dict,
            state_values=state_values,
            response_url=self._response_url("actions") if msg is not None else None,
            container=container,
            app=self.app,
        )

    def build_view_submission(
        self,
        callback_id: str,
        state_values: JsonDict | None = None,
        user_id: str = "alice",
        private_metadata: str | None = None,
        view_id: str | None = None,
    ) -> JsonDict:
        """With a stand-in, the submitted view is the stored one (``view_id``, else the user's
        latest modal with this ``callback_id``) with ``state.values`` filled in."""
        uid, uname = self._user(user_id)
        view = self._stored_view(uid, callback_id, view_id)
        if view is None:
            view = payloads.view_object(
                callback_id,
                view_id=view_id or "V" + payloads.new_event_id()[2:],
                app=self.app,
            )
        view["callback_id"] = callback_id
        view["state"] = {"values": state_values or {}}
        if private_metadata is not None:
            view["private_metadata"] = private_metadata
        return payloads.view_submission_payload(
            view, user_id=uid, user_name=uname, trigger_id=self._trigger(uid), app=self.app
        )

    def _stored_view(self, user_id: str, callback_id: str, view_id: str | None) -> JsonDict | None:
        if self.standin is None:
            return None
        if view_id is not None:
            try:
                return self.standin.view(view_id)
            except KeyError:
                return None
        candidates = [
            v
            for v in self.standin.views(user_id, view_type="modal")
            if v.get("callback_id") == callback_id
        ]
        return candidates[-1] if candidates else None

    # ------------------------------------------------------------------ senders

    def event(
        self,
        event: JsonDict,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        **options: Any,
    ) -> DeliveryResponse:
        """Deliver an event wrapped in its envelope; retries carry ``X-Slack-Retry-Num`` /
        ``X-Slack-Retry-Reason`` (§1) — pass the same ``event_id`` as the first delivery."""
        headers = dict(options.pop("headers", None) or {})
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return self.send_json(self.build_event(event, event_id), headers=headers, **options)

    def command(
        self,
        command: str,
        text: str = "",
        user_id: str = "alice",
        channel_id: str = "random",
        **options: Any,
    ) -> DeliveryResponse:
        return self.send_form(self.build_command(command, text, user_id, channel_id), **options)

    def message_shortcut(
        self,
        callback_id: str,
        user_id: str,
        message: JsonDict | str,
        channel: str,
        **options: Any,
    ) -> DeliveryResponse:
        payload = self.build_message_shortcut(callback_id, user_id, message, channel)
        return self.send_interaction(payload, **options)

    def global_shortcut(self, callback_id: str, user_id: str, **options: Any) -> DeliveryResponse:
        uid, uname = self._user(user_id)
        payload = payloads.global_shortcut_payload(
            callback_id, user_id=uid, user_name=uname, trigger_id=self._trigger(uid), app=self.app
        )
        return self.send_interaction(payload, **options)

    def block_action(
        self,
        action_id: str,
        value: str | None = None,
        user_id: str = "alice",
        *,
        bad_signature: bool = False,
        **kwargs: Any,
    ) -> DeliveryResponse:
        payload = self.build_block_action(action_id, value, user_id, **kwargs)
        return self.send_interaction(payload, bad_signature=bad_signature)

    def view_submission(
        self,
        callback_id: str,
        state_values: JsonDict | None = None,
        user_id: str = "alice",
        private_metadata: str | None = None,
        view_id: str | None = None,
        **options: Any,
    ) -> DeliveryResponse:
        payload = self.build_view_submission(
            callback_id, state_values, user_id, private_metadata, view_id
        )
        return self.send_interaction(payload, **options)

    def view_closed(
        self, view: JsonDict | str, user_id: str, is_cleared: bool = False, **options: Any
    ) -> DeliveryResponse:
        uid, uname = self._user(user_id)
        view_dict = self._view(view)
        assert view_dict is not None
        payload = payloads.view_closed_payload(
            view_dict, user_id=uid, user_name=uname, is_cleared=is_cleared, app=self.app
        )
        return self.send_interaction(payload, **options)
