"""The base of every listening error a user can fix (bad input audio, missing model).

The message is one line that says what is wrong and what to do; a command-line
front end prints it as is and exits, while anything else is a bug and keeps
its traceback.
"""


class StreamingError(Exception):
    """An error whose message tells the user what is wrong and what to do."""
