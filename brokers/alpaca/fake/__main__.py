"""Run the fake Alpaca server standalone: `python -m parity.brokers.alpaca.fake [--port 8765]`.

Keys come from APCA_API_KEY_ID / APCA_API_SECRET_KEY when set (so a client configured for paper
talks to it unchanged), else from --key/--secret. The secret is never printed.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading

from parity.brokers.alpaca.fake.server import FakeAlpaca


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m parity.brokers.alpaca.fake", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--key", default=os.environ.get("APCA_API_KEY_ID", "fake-key-id"))
    parser.add_argument("--secret", default=os.environ.get("APCA_API_SECRET_KEY", "fake-secret-key"))
    parser.add_argument("--cash", type=float, default=100_000.0)
    parser.add_argument("--now", default="2024-01-02T14:30:00Z", help="the fake clock's start (UTC)")
    args = parser.parse_args(argv)
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        parser.error(f"--host {args.host}: the fake server only listens on the loopback interface")

    fake = FakeAlpaca(args.key, args.secret, args.cash, now=args.now, host=args.host, port=args.port)
    url = fake.start()
    print(f"fake Alpaca listening: REST {url}  trade_updates {fake.stream_url}", flush=True)
    print(f"key id {args.key!r}; clock at {fake.now.isoformat()}; Ctrl-C to stop", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
