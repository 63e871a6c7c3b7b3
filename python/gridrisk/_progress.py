"""Progress of long runs, with no optional dependency.

- In a terminal (stderr is a TTY): one line on stderr, redrawn in place, from two seconds into
  a run: ``gridrisk pakistan-2000mw  42% |######        | 42,000/100,000 paths, 0:35 elapsed,
  about 0:48 left``.
- In a notebook (a running IPython kernel): the same line in the cell's output, updated through
  an IPython display handle (no widgets, so nothing to warn about without ipywidgets).
- Elsewhere (batch scripts, CI, pipes): nothing on screen. A run still going after
  :data:`LOG_AFTER_S` logs its estimated finish time to the ``gridrisk`` logger (level INFO),
  then again every :data:`LOG_EVERY_S`; the CLI shows those lines.

``progress=True`` asks for the line where it would otherwise be silent (then written as plain
lines, one every :data:`LOG_EVERY_S`, since there is no line to redraw); ``False`` silences all
of it, logging included; a function receives ``(paths_done, paths_total)`` about every 50 ms.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import sys
import time
from collections.abc import Callable
from typing import Any, Self, TextIO

from gridrisk.errors import ArgumentError

ProgressCallback = Callable[[int, int], None]

#: The line appears only for runs still going after this many seconds.
BAR_DELAY_S = 2.0
#: The line is redrawn at most this often, seconds.
REDRAW_S = 0.2
#: A run with nothing on screen logs its estimated finish after this many seconds...
LOG_AFTER_S = 30.0
#: ...and again this often.
LOG_EVERY_S = 300.0
#: Characters of the bar itself.
WIDTH = 24

log = logging.getLogger("gridrisk")


def _notebook() -> bool:
    # Only a running IPython kernel or shell has imported IPython; never import it ourselves. A
    # kernel (Jupyter) has a ``kernel``; IPython in a terminal has none and gets the terminal line.
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    shell = get() if get is not None else None
    return getattr(shell, "kernel", None) is not None


def _terminal() -> bool:
    return sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


def _clock(seconds: float) -> str:
    s = max(0, round(seconds))
    h, m = divmod(s, 3600)
    m, s = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def line(desc: str, done: int, total: int, elapsed: float) -> str:
    """The progress line for ``done`` of ``total`` paths after ``elapsed`` seconds."""
    share = done / total if total > 0 else 1.0
    filled = int(share * WIDTH)
    text = f"{desc} {share:4.0%} |{'#' * filled}{' ' * (WIDTH - filled)}| {done:,}/{total:,} paths, "
    text += f"{_clock(elapsed)} elapsed"
    if 0 < done < total:
        text += f", about {_clock(elapsed * (total - done) / done)} left"
    return text


class Progress:
    """The engine's ``(done, total)`` callback, shown as a line or logged (module docstring).

    ``mode`` is ``"terminal"`` (redrawn on ``stream``), ``"notebook"`` (an IPython display
    handle), ``"lines"`` (plain lines on ``stream``) or ``"log"`` (estimated finish times to the
    ``gridrisk`` logger only). ``clock`` returns seconds (tests pass their own).
    """

    def __init__(
        self,
        total: int,
        desc: str,
        mode: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.desc, self.mode = total, desc, mode
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        self.start = clock()
        self.last_draw = -float("inf")
        self.next_log = self.start + LOG_AFTER_S
        self.shown = False
        self.handle: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = self.clock()
        elapsed = now - self.start
        if self.mode in ("log", "lines"):
            if now >= self.next_log and 0 < done < total:
                self.next_log = now + LOG_EVERY_S
                self._log(done, total, elapsed)
            return
        # A line already on screen (an earlier run of a search) is redrawn without the delay.
        if (elapsed < BAR_DELAY_S and not self.shown) or now - self.last_draw < REDRAW_S:
            return
        self.last_draw = now
        self._draw(line(self.desc, done, total, elapsed))

    def restart(self, desc: str) -> None:
        """Starts counting a new run's paths on the same line, now described by ``desc``.

        The times are the new run's; the next log line stays due when it was (a long search of
        short runs still logs).
        """
        self.desc, self.done, self.start = desc, 0, self.clock()

    def _log(self, done: int, total: int, elapsed: float) -> None:
        left = elapsed * (total - done) / done
        finish = datetime.datetime.now() + datetime.timedelta(seconds=left)
        msg = (
            f"{self.desc}: {done:,} of {total:,} paths after {_clock(elapsed)}; "
            f"estimated finish at {finish:%H:%M:%S} (in about {_clock(left)})"
        )
        if self.mode == "lines":
            print(msg, file=self.stream, flush=True)
        else:
            log.info(msg)

    def _draw(self, text: str) -> None:
        if self.mode == "notebook":
            if self.handle is None:
                # A kernel is running, so IPython is installed (it ships no type hints).
                display: Any = importlib.import_module("IPython.display").display
                self.handle = display({"text/plain": text}, raw=True, display_id=True)
            else:
                self.handle.update({"text/plain": text}, raw=True)
        else:
            self.stream.write("\r" + text)
            self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Draws the final state of a line that was shown, and ends it."""
        if not self.shown:
            return
        text = line(self.desc, self.done, self.total, self.clock() - self.start)
        if self.mode == "notebook" and self.handle is not None:
            self.handle.update({"text/plain": text}, raw=True)
        else:
            self.stream.write("\r" + text + "\n")
            self.stream.flush()


def make(
    progress: bool | ProgressCallback | None, total: int, desc: str
) -> tuple[ProgressCallback | None, Callable[[], None]]:
    """Return ``(callback, close)`` for the ``progress`` argument of a run (module docstring).

    Raises
    ------
    ArgumentError
        For anything but ``None``, ``True``, ``False`` or a callable.
    """
    if callable(progress):
        return progress, lambda: None
    if progress is not None and not isinstance(progress, bool):
        raise ArgumentError(
            f"progress must be None, True, False or a function of (paths_done, paths_total), got {progress!r}"
        )
    if progress is False:
        return None, lambda: None
    if _notebook():
        mode = "notebook"
    elif _terminal():
        mode = "terminal"
    else:
        mode = "lines" if progress else "log"
    bar = Progress(total, desc, mode)
    return bar, bar.close


class _Line:
    """A progress line shared by several runs.

    Holds the sink :func:`make` gives for ``total`` paths; a context manager whose end ends a line
    that was drawn.
    """

    def __init__(self, progress: bool | ProgressCallback | None, total: int, desc: str) -> None:
        self._sink, self._close = make(progress, total, desc)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()


class Runs(_Line):
    """One progress line over several runs of ``paths`` paths each (compare, sweep, sensitivity).

    ``progress`` is as for one run (module docstring); a function receives the paths done over
    all the runs and their total. ``run(i)`` is the ``progress`` argument of run ``i`` (from 0):
    a callback that places its paths after those of the runs before it, or ``False`` when
    nothing is to be shown. A context manager: leaving it ends a line that was drawn.
    """

    def __init__(self, progress: bool | ProgressCallback | None, runs: int, paths: int, desc: str) -> None:
        self.paths, self.total = paths, runs * paths
        super().__init__(progress, self.total, desc)

    def run(self, i: int) -> ProgressCallback | bool:
        """The ``progress`` argument of run ``i``."""
        sink = self._sink
        if sink is None:
            return False
        offset, total = i * self.paths, self.total

        def callback(done: int, _run_total: int) -> None:
            sink(offset + done, total)

        return callback


class Search(_Line):
    """One progress line over a search of at most ``runs`` runs of ``paths`` paths (breakeven).

    How many runs a search takes is not known in advance, so the line counts the paths of the run
    under way and names it: ``gridrisk breakeven, run 3 (at most 22)``; it is redrawn in place
    from one run to the next and ends naming the last. ``progress`` is as for one run (module
    docstring); a function receives each run's ``(paths_done, paths)``, as from
    :func:`gridrisk.simulate`. ``run(i)`` is the ``progress`` argument of run ``i`` (from 0). A
    context manager: leaving it ends a line that was drawn.
    """

    def __init__(self, progress: bool | ProgressCallback | None, runs: int, paths: int, desc: str) -> None:
        self.runs, self.desc = runs, desc
        super().__init__(progress, paths, desc)

    def run(self, i: int) -> ProgressCallback | bool:
        """The ``progress`` argument of run ``i``."""
        if self._sink is None:
            return False
        if isinstance(self._sink, Progress):
            self._sink.restart(f"{self.desc}, run {i + 1} (at most {self.runs})")
        return self._sink
