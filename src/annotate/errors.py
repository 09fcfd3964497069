"""One error vocabulary: every expected failure is an AnnotateError, shown to the user as one line.

Exit codes follow SPEC section 7: 1 validation rejects, 2 usage, 3 connection/auth.
"""


class AnnotateError(Exception):
    """An error whose message is shown to the user as is (no traceback)."""

    exit_code = 1


class UsageError(AnnotateError):
    """Bad input from the user: a missing file, an unknown format, a bad option value."""

    exit_code = 2


class InputError(UsageError):
    """An input file cannot be read or parsed (not UTF-8, truncated JSON, wrong shape)."""


class ConnectionFailed(AnnotateError):
    """Label Studio is unreachable, refused the token, or the project does not exist."""

    exit_code = 3


class ProjectError(ConnectionFailed):
    """The Label Studio project is missing or its labeling config is not compatible."""


class ValidationFailed(AnnotateError):
    """Records failed validation; `errors` holds the details."""

    exit_code = 1

    def __init__(self, message: str, errors: list | None = None):
        super().__init__(message)
        self.errors = errors or []


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped a command; `str()` says what was done before it stopped.

    Library code raises it, with a message such as "created 500 of 3000 tasks; re-running
    push resumes", in place of a bare KeyboardInterrupt; the CLI prints it as one line and
    exits 130.
    """

    exit_code = 130
