"""The commit graph of a repository: ancestry, merge bases and comparisons, as `git` and GitHub's
compare endpoint compute them.

Commits are stored in creation order and every commit's parents exist before it, so that order is
a topological one: a commit's ancestors all come before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .state import Commit, Repo


def ancestors(repo: Repo, sha: str) -> set[str]:
    """`sha` and every commit reachable from it through parents."""
    seen: set[str] = set()
    pending = [sha]
    while pending:
        current = pending.pop()
        if current in seen or current not in repo.commits:
            continue
        seen.add(current)
        pending.extend(repo.commits[current].parents)
    return seen


def is_ancestor(repo: Repo, ancestor: str, descendant: str) -> bool:
    return ancestor in ancestors(repo, descendant)


@dataclass
class Comparison:
    status: str  # identical | ahead | behind | diverged, as head compares to base
    ahead: list[Commit]  # in head but not in base, oldest first
    behind: list[Commit]  # in base but not in head, oldest first
    merge_base: Commit | None  # None when the histories share no commit


def compare(repo: Repo, base: str, head: str) -> Comparison:
    in_base, in_head = ancestors(repo, base), ancestors(repo, head)
    ordered = list(repo.commits)  # creation order is topological
    ahead = [repo.commits[sha] for sha in ordered if sha in in_head and sha not in in_base]
    behind = [repo.commits[sha] for sha in ordered if sha in in_base and sha not in in_head]
    common = [sha for sha in ordered if sha in in_base and sha in in_head]
    # The newest common commit in topological order has no common descendant: a best merge base.
    merge_base = repo.commits[common[-1]] if common else None
    if base == head:
        status = "identical"
    elif not behind:
        status = "ahead"
    elif not ahead:
        status = "behind"
    else:
        status = "diverged"
    return Comparison(status, ahead, behind, merge_base)
