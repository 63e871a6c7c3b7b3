"""Exceptions raised by gridrisk.

Every error a user can cause is a :class:`GridRiskError`. The ones caused by a bad value are
also :class:`ValueError`, so existing ``except ValueError`` clauses keep working.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ArgumentError", "DataError", "GridRiskError", "InternalError", "MergeError", "ScenarioError"]


class GridRiskError(Exception):
    """Base class of every gridrisk exception."""


class ScenarioError(GridRiskError, ValueError):
    """A scenario is invalid.

    The message lists every problem found, not only the first.

    Attributes
    ----------
    errors : list of dict
        One dict per problem with keys ``field`` (dotted path, e.g. ``"bitcoin.vol_annual"`` or
        ``"fleet[2].unit_mw"``), ``value`` (what was given) and ``message`` (what is allowed).
    """

    def __init__(self, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.errors: list[dict[str, str]] = list(errors or [])

    def __reduce__(self) -> tuple[Any, ...]:
        # The instance dict carries ``__notes__`` (e.g. the scenario file's name) across pickling.
        return (type(self), (str(self), self.errors), self.__dict__)

    @property
    def fields(self) -> list[str]:
        """Dotted names of the offending fields, in the order found."""
        return [e["field"] for e in self.errors]


class ArgumentError(GridRiskError, ValueError):
    """A function argument (not part of the scenario) is invalid, e.g. ``paths=0``."""


class MergeError(GridRiskError, ValueError):
    """Partial results cannot be merged (different runs, or ranges that do not meet)."""


class DataError(GridRiskError, ValueError):
    """Stored gridrisk data is corrupt or from an incompatible version."""


class InternalError(GridRiskError, RuntimeError):
    """A bug in gridrisk: an internal check failed (for example a Rust panic was caught).

    The message says what failed; please report it. The interpreter and later gridrisk calls
    are not affected.
    """


class PrecisionWarning(UserWarning):
    """A run with ``target=`` used its whole path budget without meeting every target.

    The results are those of the budget's paths; the message names each target missed and the
    standard error reached.
    """
