"""The WSGI application: authentication, rate limits, faults and the request log around the
REST handlers (`rest.py`) and the control API (`control.py`).

Order for a REST request, as on GitHub: who is calling, injected faults, 401 for a missing or
bad token, the primary rate limit, a redirect for a renamed or transferred repository (301, or 307
for other methods than GET), then the route (404), GITHUB_TOKEN's permissions and the caller's
role (403) and validation (422).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
import traceback
import uuid
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from . import commits, control, deployments, rest, webhooks  # noqa: F401  (importing them registers their routes)
from .errors import DOCS, ApiError, bad_credentials, not_found
from .identities import Identity
from .limits import FaultRule, Faults, RateLimits, headers as rate_headers
from .render import Renderer
from .routing import HANDLERS, URL_MAP, Call, Endpoint, Reply
from .state import Store

RATE_LIMIT_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
REDIRECT_DOCS = "https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#follow-redirects"


class GitHubApp:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.faults = Faults()
        self.limits = RateLimits()
        self.base_url = ""  # set by the server once its port is known
        self._log: list[dict] = []
        self._log_lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        try:
            if request.path.startswith("/_sandbox/"):
                response = self._control(request)
            else:
                response = self._api(request)
        except ConnectionError:
            raise  # a dropped connection (fault rule) has no answer
        except Exception:
            # An emulator bug: answer like GitHub's 500 and leave the traceback on stderr.
            traceback.print_exc(file=sys.stderr)
            response = self._response(Reply(500, ApiError(500, "Server Error").body()))
        return response(environ, start_response)

    # REST API

    def _api(self, request: Request) -> Response:
        target = request.full_path.rstrip("?")
        token = _bearer_token(request)
        who = self.store.user_by_token(token) if token else None
        limit_headers, exhausted = self.limits.charge(who)

        rule = self.faults.take(request.method, target)
        delayed = None  # a latency fault slows the answer down and is logged, but answers normally
        if rule is not None and rule.fault == "latency":
            time.sleep(rule.latency_ms / 1000)
            delayed, rule = rule, None
        if rule is not None and not rule.after_processing:
            reply = self._fault_reply(request, rule, who, limit_headers)
        else:
            reply = self._serve(request, who, token, limit_headers, exhausted)
            if rule is not None:
                reply = self._fault_reply(request, rule, who, limit_headers)
        self._record(request.method, target, reply.status, who, rule or delayed)
        return self._response(reply, {**limit_headers, **reply.headers})

    def _serve(self, request: Request, who: Identity | None, token: str | None,
               limit_headers: dict[str, str], exhausted: bool) -> Reply:
        try:
            if who is None:
                if token:
                    raise bad_credentials()
                raise ApiError(401, "Requires authentication")
            if exhausted:
                raise self._primary_limit(who, limit_headers, int(limit_headers["x-ratelimit-reset"]))
            return self._route(request, who)
        except ApiError as error:
            return Reply(error.status, error.body(), error.headers)

    def _route(self, request: Request, who: Identity | None) -> Reply:
        path = request.path
        with self.store.lock:
            if who is not None:
                self._redirect_if_moved(request)
            try:
                path = self._resolve_repository_id(path)
                endpoint, args = URL_MAP.bind("emulator").match(path, method=request.method)
            except (NotFound, MethodNotAllowed):
                raise not_found() from None
            found = HANDLERS[endpoint]
            call = Call(request, who, self.store, Renderer(self.store, self.base_url))
            accepted = {"x-accepted-github-permissions": "; ".join(f"{p}=write" for p in found.writes)} \
                if found.writes else {}
            try:
                self._check_token_permissions(found, who)
                reply = found.handler(call, **args)
            except ApiError as error:
                if error.documentation_url == DOCS:
                    error.documentation_url = found.docs
                error.headers = {**accepted, **error.headers}
                raise
            reply.headers = {**accepted, **reply.headers}
            return reply

    def _check_token_permissions(self, endpoint: Endpoint, who: Identity | None) -> None:
        """GITHUB_TOKEN holds the permissions its workflow's `permissions:` block grants; a write
        endpoint needs one of the endpoint's permissions at write."""
        granted = self.store.token_permissions
        if who is None or who.key != "bot" or granted is None or not endpoint.writes:
            return
        if not any(granted.get(permission) == "write" for permission in endpoint.writes):
            raise ApiError(403, "Resource not accessible by integration")

    def _redirect_if_moved(self, request: Request) -> None:
        """A renamed or transferred repository's old name answers with a redirect to
        `/repositories/{id}/...`: 301 for GET and HEAD, 307 (repeat the request there) otherwise."""
        parts = request.path.split("/", 4)
        if len(parts) < 4 or parts[1] != "repos" or self.store.repo(parts[2], parts[3]) is not None:
            return
        repo = self.store.moved_repo(parts[2], parts[3])
        if repo is None:
            return
        rest_of_path = "/" + parts[4] if len(parts) > 4 else ""
        target = f"{self.base_url}/repositories/{repo.id}{rest_of_path}"
        query = request.query_string.decode()
        permanent = request.method in ("GET", "HEAD")
        raise ApiError(301 if permanent else 307, "Moved Permanently" if permanent else "Temporary Redirect",
                       documentation_url=REDIRECT_DOCS,
                       headers={"location": target + (f"?{query}" if query else "")}, url=target)

    def _resolve_repository_id(self, path: str) -> str:
        """GitHub's `link` headers address repositories by id: `/repositories/{id}/...`."""
        parts = path.split("/", 3)
        if len(parts) >= 3 and parts[1] == "repositories":
            repo = self.store.repo_by_id(int(parts[2])) if parts[2].isdigit() else None
            if repo is None:
                raise NotFound()
            rest_of_path = "/" + parts[3] if len(parts) > 3 else ""
            return f"/repos/{repo.owner}/{repo.name}{rest_of_path}"
        return path

    # Faults

    def _fault_reply(self, request: Request, rule: FaultRule, who: Identity | None,
                     limit_headers: dict[str, str]) -> Reply:
        if rule.fault == "drop":
            self._record(request.method, request.full_path.rstrip("?"), None, who, rule)
            _drop_connection(request)
        if rule.fault == "secondary_rate_limit":
            message = (
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                f"If you reach out to GitHub Support for help, please include the request ID {_request_id()}."
            )
            error = ApiError(rule.status or 403, message, documentation_url=RATE_LIMIT_DOCS + "#about-secondary-rate-limits",
                             headers={"retry-after": str(rule.retry_after)})
        elif rule.fault == "primary_rate_limit":
            error = self._primary_limit(who, limit_headers, int(time.time()) + rule.retry_after, rule.status or 403)
        else:
            status = 500 if rule.fault == "error500" else 502
            error = ApiError(status, "Server Error" if status == 500 else "Bad Gateway")
        return Reply(error.status, error.body(), error.headers)

    def _primary_limit(self, who: Identity | None, limit_headers: dict[str, str], reset: int,
                       status: int = 403) -> ApiError:
        if who is None:
            subject = "this IP address"
        elif who.is_bot:
            subject = "installation ID 1"
        else:
            subject = f"user ID {who.id}"
        limit = int(limit_headers["x-ratelimit-limit"])
        return ApiError(
            status,
            f"API rate limit exceeded for {subject}.",
            documentation_url=RATE_LIMIT_DOCS + "#about-the-primary-rate-limit",
            headers=rate_headers(limit, 0, limit, reset),
        )

    # Control API

    def _control(self, request: Request) -> Response:
        method, path = request.method, request.path
        try:
            if path == "/_sandbox/faults":
                return self._response(self._control_faults(request))
            if path == "/_sandbox/requests" and method in ("GET", "DELETE"):
                with self._log_lock:
                    entries = list(self._log)
                    if method == "DELETE":
                        self._log.clear()
                return self._response(Reply(200, {"requests": entries}) if method == "GET" else Reply(204))
            if path == "/_sandbox/fail-after" and method in ("POST", "DELETE"):
                spec = {"n": None} if method == "DELETE" else json.loads(request.get_data(as_text=True) or "null")
                try:
                    return self._response(Reply(200, self.faults.fail_after(spec)))
                except (ValueError, TypeError) as problem:
                    raise ApiError(400, f"bad fail-after: {problem}") from None
            if path == "/_sandbox/rate-limits":
                return self._response(self._control_rate_limits(request))
            if path == "/_sandbox/reset" and method == "POST":
                self.reset()
                return self._response(Reply(204))
            return self._response(self._route(request, None))
        except ApiError as error:
            return self._response(Reply(error.status, error.body(), error.headers))

    def _control_faults(self, request: Request) -> Reply:
        if request.method == "GET":
            return Reply(200, {"faults": self.faults.rules()})
        if request.method == "DELETE":
            self.faults.clear()
            return Reply(204)
        if request.method != "POST":
            raise not_found()
        try:
            rule = FaultRule.from_json(json.loads(request.get_data(as_text=True) or "null"))
        except (ValueError, TypeError, AttributeError) as problem:
            raise ApiError(400, f"bad fault rule: {problem}") from None
        self.faults.add(rule)
        return Reply(201, rule.to_json())

    def _control_rate_limits(self, request: Request) -> Reply:
        identities = self.store.identities
        if request.method == "GET":
            return Reply(200, {key: self.limits.describe(who) for key, who in identities.items()})
        if request.method == "DELETE":
            self.limits.clear()
            return Reply(204)
        if request.method != "POST":
            raise not_found()
        try:
            spec = json.loads(request.get_data(as_text=True) or "null")
            who = identities[spec["identity"]]
            return Reply(200, self.limits.adjust(who, spec))
        except (KeyError, TypeError):
            raise ApiError(400, f"bad rate limit setting: identity must be one of {sorted(identities)}") from None
        except ValueError as problem:
            raise ApiError(400, f"bad rate limit setting: {problem}") from None

    def reset(self) -> None:
        """Back to the state right after start: same tokens, no issues, no faults, empty log."""
        self.store.reset()
        self.faults.clear()
        self.limits.clear()
        with self._log_lock:
            self._log.clear()

    # Plumbing

    def _record(self, method: str, target: str, status: int | None, who: Identity | None,
                rule: FaultRule | None) -> None:
        entry = {
            "method": method,
            "path": target,
            "status": status,
            "login": who.login if who else None,
            "fault": rule.fault if rule else None,
            "time": time.time(),
        }
        with self._log_lock:
            self._log.append(entry)

    @staticmethod
    def _response(reply: Reply, headers: dict[str, str] | None = None) -> Response:
        all_headers = {
            "x-github-media-type": "github.v3; format=json",
            "x-github-api-version-selected": "2022-11-28",
            "x-github-request-id": _request_id(),
            **(headers if headers is not None else reply.headers),
        }
        if reply.body is None:
            return Response(status=reply.status, headers=all_headers)
        return Response(
            json.dumps(reply.body),
            status=reply.status,
            headers=all_headers,
            content_type="application/json; charset=utf-8",
        )


def _bearer_token(request: Request) -> str | None:
    """The token from `Authorization: Bearer <t>` or `Authorization: token <t>`."""
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    return scheme or None  # an unusable header is a bad credential, not a missing one


def _request_id() -> str:
    return uuid.uuid4().hex[:8].upper() + ":" + uuid.uuid4().hex[:6].upper()


def _drop_connection(request: Request) -> None:
    """Closes the client's connection without an answer, as a failing network would."""
    connection = request.environ.get("werkzeug.socket")
    if connection is not None:
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    # werkzeug's server treats a ConnectionError from the application as a dropped client.
    raise ConnectionAbortedError("connection dropped by a sandbox fault rule")
