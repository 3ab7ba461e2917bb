"""``SlackStandIn``: a local HTTP server speaking enough of Slack's Web API and SCIM API for our
real ``slack_sdk`` clients, with seedable state, request recording and fault injection."""

from __future__ import annotations

import json
import logging
import secrets
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from . import api_chat, api_conversations, api_files, api_users, api_views
from .api_common import ApiError, Ctx, Handler, decode_json_args
from .defaults import DEFAULT_WORKSPACE, WorkspaceSpec
from .faults import Fault, FaultQueue
from .recording import Call, CallLog
from .scim import handle_scim
from .state import JsonDict, ResponseUrlPost
from .workspace import Workspace

logger = logging.getLogger(__name__)

SCIM_PREFIX = "/scim/v1"
HOOKS_PREFIX = "/hooks/"
JSON_TYPE = "application/json; charset=utf-8"

HANDLERS: dict[str, Handler] = {
    **api_users.HANDLERS,
    **api_conversations.HANDLERS,
    **api_chat.HANDLERS,
    **api_views.HANDLERS,
    **api_files.HANDLERS,
}


class _Answer:
    """What to send back for one request."""

    def __init__(
        self,
        status: int,
        body: JsonDict | str | None,
        headers: dict[str, str] | None = None,
        *,
        disconnect: bool = False,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.disconnect = disconnect

    @property
    def json(self) -> JsonDict | None:
        return self.body if isinstance(self.body, dict) else None


def _parse_multipart(raw: bytes, content_type: str) -> JsonDict:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    out: JsonDict = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        out[name] = data if part.get_filename() else data.decode("utf-8", "replace")
    return out


def parse_body(raw: bytes, content_type: str) -> JsonDict:
    """Form-encoded, JSON or multipart bodies, as WebClient sends them. Raises ValueError."""
    if not raw:
        return {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("JSON body must be an object")
        return data
    if kind == "multipart/form-data":
        return _parse_multipart(raw, content_type)
    return {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}


def _fault_answer(fault: Fault, *, scim: bool) -> _Answer:
    def error_body(status: int, error: str) -> JsonDict:
        if scim:
            return {"Errors": {"description": error, "code": status}}
        return {"ok": False, "error": error}

    if fault.kind == "ratelimited":
        # HTTP 429 + Retry-After + ratelimited (slack-notes §11, SDK docs/english/web.md)
        return _Answer(429, error_body(429, "ratelimited"), {"Retry-After": str(fault.retry_after)})
    if fault.kind == "http_status":
        error = {500: "internal_error", 503: "service_unavailable"}.get(fault.status, "http_error")
        return _Answer(fault.status, error_body(fault.status, error))
    if fault.kind == "disconnect":
        return _Answer(0, None, disconnect=True)
    if scim:
        status = int(fault.extra.get("status", 400))
        return _Answer(status, error_body(status, fault.error))
    return _Answer(200, {"ok": False, "error": fault.error, **fault.extra})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    standin: SlackStandIn


class _RequestHandler(BaseHTTPRequestHandler):
    server_version = "SlackStandIn/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("slack stand-in: " + format, *args)

    def _handle(self) -> None:
        cast(_Server, self.server).standin.dispatch(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class SlackStandIn(Workspace):
    """A fake Slack for tests. Use as a context manager or call ``start()``/``stop()``.

    Point clients at it with ``WebClient(token=..., base_url=standin.api_url)`` and
    ``SCIMClient(token=..., base_url=standin.scim_url)``. Seeding and inspection helpers come from
    :class:`Workspace`; recording helpers are ``calls``, ``last``, ``wait_for``, ``reset_calls``;
    faults are queued with ``inject``.
    """

    def __init__(
        self, workspace: WorkspaceSpec | None = DEFAULT_WORKSPACE, *, host: str = "127.0.0.1"
    ) -> None:
        super().__init__(workspace)
        self._host = host
        self._log = CallLog()
        self._faults = FaultQueue()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SlackStandIn:
        if self._httpd is not None:
            return self
        httpd = _Server((self._host, 0), _RequestHandler)
        httpd.standin = self
        self._httpd = httpd
        self._stopping.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="slack-standin",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a delay fault
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the Slack stand-in is not running; call start()")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """For ``WebClient(base_url=...)`` (ends with ``/api/``, like ``https://slack.com/api/``)."""
        return f"{self.base_url}/api/"

    @property
    def scim_url(self) -> str:
        """For ``SCIMClient(base_url=...)`` (like ``https://api.slack.com/scim/v1/``)."""
        return f"{self.base_url}{SCIM_PREFIX}/"

    def new_response_url(self, kind: str = "commands") -> str:
        """A response_url pointing at the stand-in (Slack's live on hooks.slack.com, §4)."""
        return f"{self.base_url}{HOOKS_PREFIX}{kind}/{self.team_id}/{self.new_id('')}/" + (
            secrets.token_hex(12)
        )

    # ------------------------------------------------------------------ recording and faults

    def calls(self, method: str | None = None) -> list[Call]:
        return self._log.calls(method)

    def last(self, method: str) -> Call:
        return self._log.last(method)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        return self._log.wait_for(method, count, timeout)

    def reset_calls(self) -> None:
        self._log.reset()

    def inject(self, method: str, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` requests to ``method`` (see :class:`Fault`)."""
        self._faults.inject(method, fault, times)

    def pending_faults(self, method: str | None = None) -> int:
        return self._faults.pending(method)

    def clear_faults(self) -> None:
        self._faults.clear()

    # ------------------------------------------------------------------ request handling

    def dispatch(self, req: BaseHTTPRequestHandler) -> None:
        parsed = urlsplit(req.path)
        path = parsed.path
        query = {k: v[0] for k, v in parse_qs(parsed.query, keep_blank_values=True).items()}
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in req.headers.items()}
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        verb = req.command

        if path.startswith("/api/"):
            method = path[len("/api/") :]
            keys = [method]
        elif path.startswith(SCIM_PREFIX + "/"):
            method = f"scim.{verb} {path[len(SCIM_PREFIX) :]}"
            keys = [method, f"scim.{verb}", "scim"]
        elif path.startswith(api_files.UPLOAD_PATH):
            method = "files.upload_url"
            keys = [method]
        elif path.startswith(HOOKS_PREFIX):
            method = "response_url"
            keys = [method]
        else:
            self._send(req, _Answer(404, {"ok": False, "error": "not_found"}))
            return

        args: JsonDict = {}
        answer: _Answer | None = None
        fault = self._faults.take(keys)
        if fault is not None and fault.kind == "delay":
            self._stopping.wait(fault.delay_s)
        elif fault is not None:
            answer = _fault_answer(fault, scim=method.startswith("scim."))

        try:
            if path.startswith("/api/"):
                args = parse_body(raw, headers.get("content-type", ""))
                args = decode_json_args({**query, **args})
                if token is None and isinstance(args.get("token"), str):
                    token = args["token"]
                args.pop("token", None)
                answer = answer or self._web_api(method, args, token)
            elif method.startswith("scim."):
                body = json.loads(raw) if raw else {}
                args = {**query, **(body if isinstance(body, dict) else {})}
                if answer is None:
                    status, scim_body = handle_scim(
                        self, verb, path[len(SCIM_PREFIX) :], query, args, token
                    )
                    answer = _Answer(status, scim_body)
            elif method == "files.upload_url":
                file_id = path[len(api_files.UPLOAD_PATH) :].strip("/")
                args = {"file_id": file_id, "length": len(raw)}
                if answer is None:
                    status, text = api_files.receive_upload(self, file_id, raw)
                    answer = _Answer(status, text)
            else:
                args = parse_body(raw, headers.get("content-type", "application/json"))
                if answer is None:
                    with self.lock:
                        self.response_posts.append(ResponseUrlPost(url=req.path, body=args))
                    answer = _Answer(200, "ok")
        except ValueError:
            answer = answer or _Answer(200, {"ok": False, "error": "invalid_json"})

        self._log.record(
            Call(
                method=method,
                args=args,
                headers=headers,
                token=token,
                status=answer.status,
                response=answer.json,
                fault=fault.describe() if fault is not None else None,
            )
        )
        self._send(req, answer)

    def _web_api(self, method: str, args: JsonDict, token: str | None) -> _Answer:
        """Auth and dispatch for ``/api/<method>``. Errors are HTTP 200 + ``ok: false``."""
        if method == "api.test":
            return _Answer(200, {"ok": True, "args": args})
        handler = HANDLERS.get(method)
        if handler is None:
            return _Answer(200, {"ok": False, "error": "unknown_method", "req_method": method})
        if not token:
            return _Answer(200, {"ok": False, "error": "not_authed"})
        with self.lock:
            auth = self.token_records.get(token)
            if auth is None:
                return _Answer(200, {"ok": False, "error": "invalid_auth"})
            if self.user_records[auth.user_id].deleted:
                return _Answer(200, {"ok": False, "error": "account_inactive"})
            try:
                return _Answer(200, handler(Ctx(self, auth, self.base_url), args))
            except ApiError as err:
                return _Answer(200, err.body())
            except Exception as exc:  # a stand-in bug: answer like Slack's 500, keep the cause
                logger.exception("slack stand-in handler for %s failed", method)
                return _Answer(500, {"ok": False, "error": "fatal_error", "standin": repr(exc)})

    def _send(self, req: BaseHTTPRequestHandler, answer: _Answer) -> None:
        if answer.disconnect:
            req.close_connection = True
            return
        if isinstance(answer.body, dict):
            payload, content_type = json.dumps(answer.body).encode(), JSON_TYPE
        else:
            payload, content_type = (answer.body or "").encode(), "text/plain; charset=utf-8"
        try:
            req.send_response(answer.status)
            if answer.status != 204:
                req.send_header("Content-Type", content_type)
                req.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                req.send_header(name, value)
            req.end_headers()
            if answer.status != 204:
                req.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client went away before the stand-in answered")
