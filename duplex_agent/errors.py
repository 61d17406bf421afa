"""The base of every error a user can fix (bad input, missing model, bad flag).

The CLI prints these as one line and exits 2; anything else is a bug and keeps
its traceback.

``UserError`` is the listening layer's ``StreamingError`` under the agent's name:
one class, so the CLI's single ``except UserError`` also catches the errors
``streaming`` raises (unreadable audio, a missing model package) without
``streaming`` knowing about the agent.
"""

from streaming.errors import StreamingError

UserError = StreamingError
