"""``duplex-agent serve``: browser voice calls (the page and its WebSocket endpoint).


"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from duplex_agent.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve", help="serve browser voice calls (open the printed URL)",
        description="Serve the browser page and its call endpoint: one full-duplex session "
                    "per call. Loopback only by default; on any other address a random "
                    "token is required (it is in the printed URL).")
    add_arguments(parser)
    parser.set_defaults(run=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind [default: 127.0.0.1, this machine only]")
    parser.add_argument("--port", type=int, default=8765, help="TCP port [default: 8765]")
    parser.add_argument("--max-calls", type=int, default=2,
                        help="concurrent calls; more callers are refused [default: 2]")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="another Host name the server answers to (its DNS name, or a "
                             "proxy's); loopback names and the bound address always work; "
                             "repeatable")
    parser.add_argument("--idle-timeout", type=float, default=30.0, metavar="SECONDS",
                        help="close a call that sends no audio this long [default: 30]")
    parser.add_argument("--cert", type=Path, help="TLS certificate (PEM): phones need https "
                                                  "for the microphone off localhost")
    parser.add_argument("--key", type=Path, help="TLS private key (PEM) for --cert")


def run(args: argparse.Namespace) -> int:
    import asyncio

    from duplex_agent.live.server import CallServer, ServeConfig
    from duplex_agent.session.config import SessionConfig
    from duplex_agent.session.loop import Session
    from duplex_agent.session.models import SessionModels

    if args.max_calls < 1:
        raise UserError("--max-calls must be at least 1")
    config = SessionConfig.live(input_has_echo=True)  # AEC is asked for, not trusted
    print("loading models (about 6 s)...", file=sys.stderr)
    models = SessionModels.load(config)
    server = CallServer(lambda: Session(models, config),
                        ServeConfig(host=args.host, port=args.port, max_calls=args.max_calls,
                                    idle_timeout_s=args.idle_timeout,
                                    allow_hosts=tuple(args.allow_host)),
                        ssl_context=_ssl(args.cert, args.key))
    try:
        asyncio.run(server.serve(lambda: _announce(server)))
    except OSError as err:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {err.strerror}") from None
    return 0


def _announce(server) -> None:
    from duplex_agent.live.guard import is_loopback

    host = server.config.host
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"open {server.url(shown)}", flush=True)
    if not is_loopback(host):
        print("this server is reachable from other machines: share the URL (with its token) "
              "only with people you trust", flush=True)


def _ssl(cert: Path | None, key: Path | None):
    if cert is None:
        return None
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as err:
        raise UserError(f"cannot load the TLS certificate {cert}: {err}") from None
    return context
