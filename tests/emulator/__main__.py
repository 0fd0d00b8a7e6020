"""Run the Azure REST emulator by hand: ``python -m tests.emulator SNAPSHOT.json[.gz]``."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Sequence

from tests.emulator.server import Emulator, LoggedRequest, load_snapshot


def _management_group(text: str) -> tuple[str, list[str]]:
    name, sep, subs = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=SUB[,SUB...], got {text!r}")
    return name, [s for s in subs.split(",") if s]


def _print_request(record: LoggedRequest) -> None:
    query = "&".join(f"{k}={v}" for k, v in record.query.items())
    status = "dropped" if record.dropped else str(record.status)
    stamp = time.strftime("%H:%M:%S")
    print(
        f"{stamp} {record.method} {record.path}{'?' + query if query else ''} -> {status}",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.emulator",
        description="Serve a snapshot as the Azure Resource Graph and ARM REST API on 127.0.0.1.",
    )
    parser.add_argument("snapshot", help="snapshot v1 file (.json or .json.gz)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port (0: any free port); default 8080"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="added delay per request, seconds"
    )
    parser.add_argument(
        "--quota", type=int, default=15, help="Resource Graph queries per window (0: unlimited)"
    )
    parser.add_argument("--quota-window", type=float, default=5.0, help="quota window, seconds")
    parser.add_argument("--page-size-arm", type=int, default=2, help="items per ARM list page")
    parser.add_argument("--quiet", action="store_true", help="do not print a line per request")
    parser.add_argument(
        "--forbid",
        action="append",
        default=[],
        metavar="SUB",
        help="answer 403 for this subscription (repeatable)",
    )
    parser.add_argument(
        "--management-group",
        action="append",
        default=[],
        type=_management_group,
        metavar="NAME=SUB,SUB",
        help="a management group and its subscriptions (repeatable; default: every group holds every subscription)",
    )
    args = parser.parse_args(argv)
    try:
        document = load_snapshot(args.snapshot)
        emulator = Emulator(
            document,
            port=args.port,
            latency=args.latency,
            quota=args.quota or None,
            quota_window=args.quota_window,
            page_size_arm=args.page_size_arm,
            forbidden_subscriptions=args.forbid,
            management_groups=dict(args.management_group) if args.management_group else None,
            on_request=None if args.quiet else _print_request,
        )
        emulator.start()
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Azure emulator serving {args.snapshot} at {emulator.url} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.close()
    print(f"served {len(emulator.requests)} requests, {emulator.throttled} throttled", flush=True)
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
