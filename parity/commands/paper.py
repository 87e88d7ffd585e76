"""`parity paper --replay`: the live paper stack end to end against a local fake Alpaca, offline."""

from __future__ import annotations

import argparse
from pathlib import Path

from parity.commands.options import add_overrides


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "paper", help="offline paper-trading demo (--replay)",
        description="Start a fake Alpaca server on 127.0.0.1 fed with the embedded data and run the paper "
                    "engine against it session by session. No keys or network needed.",
    )
    parser.add_argument("--replay", action="store_true", required=True, help="replay the embedded data (required)")
    parser.add_argument("--config", metavar="FILE", default=None,
                        help="YAML config (default: config/paper.yaml, else config/default.yaml)")
    add_overrides(parser)
    parser.add_argument("--sessions", type=int, default=40, metavar="N", help="sessions to trade (default 40)")
    parser.add_argument("--history", type=int, default=0, metavar="N",
                        help="bars of history before the first decision (default: the strategy's lookback)")
    parser.add_argument("--seconds-per-bar", type=float, default=0.0, metavar="S",
                        help="pause after each session, to watch it happen (default 0)")
    parser.add_argument("--out", metavar="DIR", default=None, help="output folder (default: reporting.output_dir)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import tempfile

    from parity.engine.config import load_config
    from parity.replay import replay_config, run_replay

    path = args.config or ("config/paper.yaml" if Path("config/paper.yaml").is_file() else "config/default.yaml")
    config = replay_config(load_config(path, args.overrides), Path(args.out) if args.out else None)
    # The demo's journal is its own: never mix replayed orders into a real paper account's journal.
    journal_dir = Path(tempfile.mkdtemp(prefix="parity-replay-"))
    config = config.model_copy(update={"alpaca": config.alpaca.model_copy(
        update={"journal_path": journal_dir / "journal.sqlite"})})
    print(f"replaying {args.sessions} session(s) through a local fake Alpaca (dummy keys, 127.0.0.1)")
    result = run_replay(config, Path.cwd(), sessions=args.sessions, seconds_per_bar=args.seconds_per_bar,
                        on_cycle=lambda c: print(c.line()), config_path=path, history=args.history)
    for line in result.reconcile_lines:
        print(f"reconcile at start: {line}")
    held = ", ".join(f"{s} {q:g}" for s, q in sorted(result.positions.items())) or "nothing"
    print(f"done in {result.seconds:.1f}s: {result.posted} order(s) sent; cash {result.cash:,.2f}; holding {held}")
    print(f"journal: {config.alpaca.journal_path}")
    print(f"run folder: {result.run_dir}")
    return 0
