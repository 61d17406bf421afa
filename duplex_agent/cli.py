"""The one console script, ``duplex-agent``, with a subcommand per job.

Subcommands live in ``duplex_agent.commands``; heavy libraries load inside each
command, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from duplex_agent import __version__
from duplex_agent.commands import COMMAND_MODULES
from duplex_agent.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duplex-agent",
        description="A full-duplex empathetic spoken dialogue agent that runs on a CPU. "
                    "Every model comes from an installed package; nothing is downloaded.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except UserError as err:
        print(f"duplex-agent {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
