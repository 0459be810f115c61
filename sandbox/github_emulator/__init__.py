"""A GitHub REST API emulator for the agentcore-gitops sandbox.

`start_github_emulator(host, port)` serves, on loopback, the REST endpoints agentcore-gitops
uses with GitHub's shapes, permissions, pagination, rate limits and errors, plus a control API
under `/_sandbox/` for tests. See `app.py` for the request pipeline, `rest.py` for the
endpoints and permission rules and `control.py` for the control API.
"""

from .server import DEFAULT_REPOSITORY, GitHubEmulator, start_github_emulator

__all__ = ["DEFAULT_REPOSITORY", "GitHubEmulator", "start_github_emulator"]
