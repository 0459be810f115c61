"""`python3 -m github_emulator` prints one JSON line, serves, and stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from github_fixtures import SANDBOX, request, start_github_emulator


def test_module_prints_its_info_serves_and_stops_on_sigterm() -> None:
    process = subprocess.Popen([sys.executable, "-m", "github_emulator"], cwd=SANDBOX,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(process.stdout.readline())
        assert set(info) == {"github_api_url", "repository", "tokens", "logins"}
        assert set(info["tokens"]) == set(info["logins"]) == {"bot", "maintainer", "triage", "outsider", "app"}
        assert info["logins"]["bot"] == "github-actions[bot]"
        assert len(set(info["tokens"].values())) == 5
        answer = request(f"{info['github_api_url']}/repos/{info['repository']}", token=info["tokens"]["bot"])
        assert answer.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_each_start_gets_new_tokens_and_its_own_port() -> None:
    first, second = start_github_emulator(), start_github_emulator()
    try:
        assert first.url != second.url
        assert set(first.info()["tokens"].values()).isdisjoint(second.info()["tokens"].values())
        assert request(f"{second.url}/repos/{second.repository}", token=first.info()["tokens"]["bot"]).status == 401
    finally:
        first.stop()
        second.stop()


def test_only_loopback_addresses_are_served() -> None:
    for host in ("0.0.0.0", "example.com"):
        with pytest.raises(ValueError, match="loopback"):
            start_github_emulator(host=host)
