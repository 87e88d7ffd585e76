"""`parity` subcommands, one small module each.

A module defines `register(subparsers)`, which adds its parser and sets `handler=` to a function
`(argparse.Namespace) -> int` (the exit code). List the module in parity.cli.COMMAND_MODULES.
Heavy imports (numba, xgboost, alpaca-py) belong inside the handler so `parity --help` stays fast.
"""
