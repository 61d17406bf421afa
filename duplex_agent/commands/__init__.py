"""One module per subcommand. Each has ``register(subparsers)``, which adds its parser
and sets ``run=`` to a function taking the parsed arguments and returning an exit code.
Modules import nothing heavy at the top, so ``--help`` stays instant.
"""

COMMAND_MODULES = (
    "duplex_agent.commands.models",
    "duplex_agent.commands.transcribe",
    "duplex_agent.commands.think",
    "duplex_agent.commands.duplex",
    "duplex_agent.commands.speak",
    "duplex_agent.commands.demo",
    "duplex_agent.commands.serve",
    "duplex_agent.commands.mic",
    "duplex_agent.commands.humdial",
    "duplex_agent.commands.evaluate",
)
