"""Starting and stopping the emulator: a threaded werkzeug server on a loopback port."""

from __future__ import annotations

import ipaddress
import threading

from keepalive import KeepAliveHandler, make_server

from .app import GitHubApp
from .identities import make_identities
from .state import Store

DEFAULT_REPOSITORY = "sandbox-org/agent-app"


class _QuietHandler(KeepAliveHandler):
    """No access log: the launcher's stdout carries one JSON line, and stderr stays readable."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _require_loopback(host: str) -> None:
    """Tests must never expose the emulator (and its tokens) beyond this machine."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the GitHub emulator serves loopback only; use 127.0.0.1 instead of {host!r}")


class GitHubEmulator:
    def __init__(self, host: str, port: int, repository: str) -> None:
        _require_loopback(host)
        owner = repository.split("/", 1)[0]
        self.identities = make_identities(owner)
        self.repository = repository
        self.app = GitHubApp(Store(self.identities, repository))
        self._server = make_server(host, port, self.app, handler=_QuietHandler,
                                   keep_alive_while=lambda: not self.app.faults.may_drop())
        shown_host = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown_host}:{self._server.server_port}"
        self.app.base_url = self.url
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="github-emulator", daemon=True
        )
        self._thread.start()

    def info(self) -> dict:
        """What the sandbox prints for clients: where the API is, the repository, tokens and logins."""
        return {
            "github_api_url": self.url,
            "repository": self.repository,
            "tokens": {key: identity.token for key, identity in self.identities.items()},
            "logins": {key: identity.login for key, identity in self.identities.items()},
        }

    def reset(self) -> None:
        self.app.reset()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def start_github_emulator(
    host: str = "127.0.0.1", port: int = 0, repository: str = DEFAULT_REPOSITORY
) -> GitHubEmulator:
    """Starts the emulator in a background thread; `port=0` picks a free port. Tokens are new on each start."""
    return GitHubEmulator(host, port, repository)
