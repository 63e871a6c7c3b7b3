"""Progress reporting for long runs: a tqdm bar when someone is watching, else nothing."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from gridrisk.errors import ArgumentError

ProgressCallback = Callable[[int, int], None]

#: A bar appears only for runs still going after this many seconds.
BAR_DELAY_S = 2.0


def _interactive() -> bool:
    # Only a running IPython kernel or shell has imported IPython; never import it ourselves.
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    if get is not None and get() is not None:
        return True
    return sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


class _Bar:
    """Adapts tqdm to the engine's ``(done, total)`` callback."""

    def __init__(self, total: int, desc: str) -> None:
        from tqdm.auto import tqdm

        self._bar: Any = tqdm(total=total, desc=desc, unit="path", unit_scale=True, delay=BAR_DELAY_S)

    def __call__(self, done: int, total: int) -> None:
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        self._bar.close()


def make(
    progress: bool | ProgressCallback | None, total: int, desc: str
) -> tuple[ProgressCallback | None, Callable[[], None]]:
    """Return ``(callback, close)`` for the ``progress`` argument of a run.

    ``None`` shows a bar only in an interactive session with tqdm installed; ``True`` asks for
    one (silently none if tqdm is missing); ``False`` silences it; a callable receives
    ``(paths_done, paths_total)`` about every 50 ms. Anything else raises ``ArgumentError``.
    """
    if callable(progress):
        return progress, lambda: None
    if progress is not None and not isinstance(progress, bool):
        raise ArgumentError(
            f"progress must be None, True, False or a function of (paths_done, paths_total), got {progress!r}"
        )
    want = _interactive() if progress is None else progress
    if not want:
        return None, lambda: None
    try:
        bar = _Bar(total, desc)
    except ImportError:
        return None, lambda: None
    return bar, bar.close
