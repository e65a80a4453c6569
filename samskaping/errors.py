"""Exceptions for problems that stop a command (methods.md section 10, exit code 2).

Bad *data* never raises: it becomes an issue in the validation report. These exceptions are
for files that cannot be used at all, and each carries a one-line message for the researcher.
"""

from __future__ import annotations

__all__ = ["ConfigError", "DataFileError", "SamskapingError"]


class SamskapingError(Exception):
    """A problem that stops a command; ``str(error)`` is one line for the user."""


class ConfigError(SamskapingError):
    """The instrument or codebook file is malformed.

    Parameters
    ----------
    file : str
        The file that was read.
    key : str
        Where in the file the problem is, e.g. ``categories[0].factors[1].items``.
    problem : str
        What is wrong, in plain words.
    """

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        where = f"{file}: {key}: " if key else f"{file}: "
        super().__init__(where + problem)


class DataFileError(SamskapingError):
    """A survey data file cannot be read or has none of the columns needed."""
