"""`python3 -m github_emulator [--host 127.0.0.1] [--port 0] [--repository owner/name]`

Prints the emulator's info as one JSON line on stdout once it serves, then serves until
SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from .server import DEFAULT_REPOSITORY, start_github_emulator


def main() -> int:
    parser = argparse.ArgumentParser(prog="python3 -m github_emulator", description=" ".join(__doc__.split("\n\n")[1].split()))
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (0 picks a free one)")
    parser.add_argument("--repository", default=DEFAULT_REPOSITORY, help="the repository, owner/name")
    args = parser.parse_args()
    try:
        emulator = start_github_emulator(args.host, args.port, args.repository)
    except (ValueError, OSError) as problem:
        print(f"github_emulator: cannot start: {problem}", file=sys.stderr)
        return 2

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    print(json.dumps(emulator.info()), flush=True)
    stopping.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
