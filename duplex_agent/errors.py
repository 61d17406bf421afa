"""The base of every error a user can fix (bad input, missing model, bad flag).

The CLI prints these as one line and exits 2; anything else is a bug and keeps
its traceback.
"""


class UserError(Exception):
    """An error whose message tells the user what is wrong and what to do."""
