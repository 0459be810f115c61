"""Who may do what: the emulator's users, their tokens and GitHub's repository roles.

GitHub has five repository roles, ordered by what they allow. The REST endpoint
`/collaborators/{user}/permission` reports two things about a user: `role_name`, the exact
role, and `permission`, an older coarse value in which maintain counts as write and triage as
read. Both tables below follow GitHub's documentation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

ROLE_RANK = {"read": 0, "triage": 1, "write": 2, "maintain": 3, "admin": 4}
LEGACY_PERMISSION = {"read": "read", "triage": "read", "write": "write", "maintain": "write", "admin": "admin"}

BOT_LOGIN = "github-actions[bot]"
BOT_ID = 41898282
# Another GitHub App's bot account, acting with its own installation token: a sender that is
# neither a person nor GitHub Actions.
APP_BOT_LOGIN = "some-app[bot]"
APP_BOT_ID = 190_000_001


@dataclass(frozen=True)
class Identity:
    """A user or bot the emulator knows. `role` is its role on the emulated repositories;
    None means no role at all (on a public repository that still allows reading)."""

    key: str
    login: str
    id: int
    type: str = "User"
    role: str | None = None
    token: str | None = None

    @property
    def is_bot(self) -> bool:
        return self.type == "Bot"

    def has(self, role: str) -> bool:
        """Whether this identity's role is at least `role` (public repositories grant read)."""
        own = ROLE_RANK.get(self.role, 0) if self.role else 0
        return own >= ROLE_RANK[role]

    def permission_flags(self) -> dict[str, bool]:
        """The `permissions` object GitHub attaches to users and repositories."""
        return {
            "admin": self.has("admin"),
            "maintain": self.has("maintain"),
            "push": self.has("write"),
            "triage": self.has("triage"),
            "pull": True,
        }

    @property
    def role_name(self) -> str:
        return self.role or "read"

    @property
    def legacy_permission(self) -> str:
        return LEGACY_PERMISSION[self.role_name]


def make_identities(owner: str) -> dict[str, Identity]:
    """The five identities of one emulator start, each with a fresh random token.

    Tokens look like GitHub's: `ghs_` for installation tokens (the one Actions hands out as
    GITHUB_TOKEN, and the app's), `ghp_` for personal tokens.
    """

    def token(prefix: str) -> str:
        return prefix + secrets.token_hex(18)

    return {
        "bot": Identity("bot", BOT_LOGIN, BOT_ID, "Bot", "write", token("ghs_")),
        "maintainer": Identity("maintainer", f"{owner}-maintainer", 10_000_001, "User", "maintain", token("ghp_")),
        "triage": Identity("triage", f"{owner}-triager", 10_000_002, "User", "triage", token("ghp_")),
        "outsider": Identity("outsider", "drive-by-outsider", 10_000_003, "User", None, token("ghp_")),
        "app": Identity("app", APP_BOT_LOGIN, APP_BOT_ID, "Bot", "write", token("ghs_")),
    }
