"""What every handler gets (`Call`) and gives back (`Reply`), the route table, and pagination.

Handlers register with `@route(method, rule, docs=..., writes=...)`; `docs` is the GitHub
documentation page that error answers from that handler point to, as GitHub's own errors do;
`writes` names the token permissions of which GITHUB_TOKEN needs one at `write` for the call
(GitHub's "fine-grained access tokens" table of the endpoint). Reads need none: the emulated
repositories are public.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from .errors import ApiError, not_found
from .identities import Identity
from .render import Renderer
from .state import Issue, Repo, Store

DOCS_BASE = "https://docs.github.com/rest/"
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-encodable, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    request: Request
    who: Identity | None  # None only on the unauthenticated control API
    store: Store
    render: Renderer

    def json(self) -> Any:
        raw = self.request.get_data(as_text=True)
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise ApiError(400, "Problems parsing JSON") from None

    def json_object(self) -> dict:
        data = self.json()
        if not isinstance(data, dict):
            raise ApiError(400, "Problems parsing JSON")
        return data

    def repo(self, owner: str, name: str) -> Repo:
        repo = self.store.repo(owner, name)
        if repo is None:
            raise not_found()
        return repo

    def issue(self, repo: Repo, number: int) -> Issue:
        issue = repo.issues.get(number)
        if issue is None:
            raise not_found()
        return issue

    def require(self, role: str) -> Identity:
        """The caller, if its role is at least `role`; else GitHub's 403 for its kind of token."""
        who = self.who
        assert who is not None
        if not who.has(role):
            kind = "integration" if who.is_bot else "personal access token"
            raise ApiError(403, f"Resource not accessible by {kind}")
        return who

    def paginate(self, repo: Repo, items: list, render: Callable[[Repo, Any], dict]) -> Reply:
        """One page of `items`, each rendered, with GitHub's `link` header."""
        chosen, headers = self.page(repo, items)
        return Reply(200, [render(repo, item) for item in chosen], headers)

    def page(self, repo: Repo, items: list, default_per_page: int = DEFAULT_PER_PAGE) -> tuple[list, dict[str, str]]:
        """The items of the page asked for (`per_page`, `page`) and the `link` header. Like GitHub,
        links address the repository by id (`/repositories/{id}/...`) and keep the caller's other
        parameters."""
        query = parse_qsl(self.request.query_string.decode(), keep_blank_values=True)
        per_page = _positive_int(self.request.args.get("per_page"), default_per_page)
        per_page = min(per_page, MAX_PER_PAGE)
        page = _positive_int(self.request.args.get("page"), 1)
        last = max(1, -(-len(items) // per_page))
        chosen = items[(page - 1) * per_page : page * per_page]

        path = self.request.path
        prefix = f"/repos/{repo.owner}/{repo.name}"
        if path.lower().startswith(prefix.lower()):
            path = f"/repositories/{repo.id}{path[len(prefix):]}"

        def link(target: int, rel: str) -> str:
            params = [(k, v) for k, v in query if k != "page"]
            if any(k == "page" for k, _ in query):
                params = [(k, str(target) if k == "page" else v) for k, v in query]
            else:
                params.append(("page", str(target)))
            return f'<{self.render.api}{path}?{urlencode(params)}>; rel="{rel}"'

        links = []
        if page > 1:
            links.append(link(min(page - 1, last), "prev"))
        if page < last:
            links.append(link(page + 1, "next"))
            links.append(link(last, "last"))
        if page > 1:
            links.append(link(1, "first"))
        return chosen, ({"link": ", ".join(links)} if links else {})


def _positive_int(raw: str | None, default: int) -> int:
    """GitHub ignores page parameters it cannot use rather than failing the request."""
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return value if value >= 1 else default


Handler = Callable[..., Reply]
URL_MAP = Map(strict_slashes=False, merge_slashes=False)


@dataclass(frozen=True)
class Endpoint:
    handler: Handler
    docs: str
    writes: tuple[str, ...]  # token permissions, any one of which at write allows the call


HANDLERS: dict[str, Endpoint] = {}


def route(method: str, rule: str, docs: str = "", writes: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        endpoint = f"{handler.__module__}.{handler.__name__}"
        URL_MAP.add(Rule(rule, methods=[method], endpoint=endpoint))
        HANDLERS[endpoint] = Endpoint(handler, DOCS_BASE + docs if docs else DOCS_BASE.rstrip("/"), writes)
        return handler

    return register
