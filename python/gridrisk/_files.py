"""Atomic file writes: a temporary file in the target's folder, renamed into place.

Files are created with mode ``0o666`` and the kernel applies the user's umask, exactly as for
``open(path, "w")``, so results can be shared like any other file (``tempfile.mkstemp`` would
make every file private, ``0o600``). Reading the umask is never needed, so there is no window in
which another thread sees a changed umask.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
from pathlib import Path

__all__ = ["MANIFEST", "OutputFolder", "atomic_write"]


def _folder_error(e: OSError, folder: Path, doing: str) -> OSError:
    """``e`` again, but naming ``folder`` (not a temporary file) and saying what to do."""
    where = os.fspath(folder) or "."
    if isinstance(e, FileNotFoundError):
        return FileNotFoundError(errno.ENOENT, f"cannot {doing}: the folder does not exist (create it first)", where)
    if isinstance(e, NotADirectoryError):
        return NotADirectoryError(errno.ENOTDIR, f"cannot {doing}: a file is in the way of the folder", where)
    if isinstance(e, PermissionError):
        return PermissionError(errno.EACCES, f"cannot {doing}: no permission to write in the folder", where)
    return type(e)(e.errno, f"cannot {doing}: {e.strerror}", where)


def _create_exclusive(folder: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """Create a new empty file with a random name in ``folder``; mode 0o666 minus the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = folder / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", os.fspath(folder))


def atomic_write(path: str | os.PathLike[str], data: bytes | str, *, replace: bool = True) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically.

    Readers see the old file or the whole new one, never a half-written file, even on an error
    (a full disk...) or Ctrl-C; the data is flushed to disk before the rename. The file gets the
    permissions of a file created by ``open`` (``0o666`` minus the umask). The folder must exist.
    With ``replace=False`` an existing file is never replaced, not even one created by another
    process while this one writes: the new file is hard-linked into place, which fails if the
    name is taken.

    Raises
    ------
    FileExistsError
        With ``replace=False``, if ``path`` exists.
    FileNotFoundError
        If the folder does not exist; the error's ``filename`` is the folder.
    IsADirectoryError
        If ``path`` is a folder.
    OSError
        Any other failure (no permission, a full disk), naming the folder or the file.
    """
    target = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    folder = target.parent
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "cannot write the file: a folder has that name", os.fspath(target))
    try:
        fd, tmp = _create_exclusive(folder, f".{target.name}.", ".tmp")
    except OSError as e:
        raise _folder_error(e, folder, f"write {target.name}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            _move_new(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _move_new(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` to ``target`` unless that name exists (FileExistsError)."""
    try:
        os.link(tmp, target)
        tmp.unlink()
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "the file exists", os.fspath(target)) from None
    except OSError:
        # A file system without hard links: the check and the rename are then two steps.
        if target.exists():
            raise FileExistsError(errno.EEXIST, "the file exists", os.fspath(target)) from None
        os.replace(tmp, target)


#: Name of the file that lists the files of a command's output folder and the run they belong to.
MANIFEST = "manifest.json"


class OutputFolder:
    """The output folder of one command, filled in a staging folder and swapped in whole.

    :meth:`prepare` checks, before any work, that the folder can be written: it refuses a
    file in the way, a read-only folder and a folder that holds files this class did not
    write (anything its :data:`MANIFEST` does not list), and creates a hidden staging folder
    next to the target. Files are written into :attr:`staging`; :meth:`commit` adds the
    manifest and swaps the staging folder in, replacing a previous output folder whole, so
    files of two runs never sit side by side. Leaving the ``with`` block without a commit
    (an error, Ctrl-C) removes the staging folder and leaves the old folder as it was.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.shown = os.fspath(path)
        self.target = Path(os.path.realpath(path))
        self._staging: Path | None = None

    @property
    def staging(self) -> Path:
        """The folder to write into (exists after :meth:`prepare`)."""
        if self._staging is None:
            raise RuntimeError("OutputFolder.prepare() was not called")
        return self._staging

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def _refuse(self, error: type[OSError], code: int, msg: str) -> OSError:
        return error(code, msg, self.shown)

    def prepare(self) -> Path:
        """Check that the folder can be written and create the staging folder; returns it.

        Raises
        ------
        OSError
            ``NotADirectoryError`` if a file has the folder's name, ``FileExistsError`` if the
            folder holds files of something else, ``PermissionError`` if it or its parent
            cannot be written, ``FileNotFoundError``... each naming the folder.
        """
        target = self.target
        cwd = Path.cwd().resolve()
        if target == cwd or target in cwd.parents:
            raise self._refuse(
                IsADirectoryError, errno.EISDIR, "the output folder would replace the current folder; name a subfolder"
            )
        if target.exists() or target.is_symlink():
            if not target.is_dir():
                raise self._refuse(NotADirectoryError, errno.ENOTDIR, "a file has that name; the output needs a folder")
            foreign = _foreign_entries(target)
            if foreign:
                listed = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
                raise self._refuse(
                    FileExistsError,
                    errno.EEXIST,
                    f"the folder holds files that are not the output of an earlier gridrisk command ({listed}); "
                    "name a new or empty folder, or remove them",
                )
            if not os.access(target, os.W_OK | os.X_OK):
                raise self._refuse(PermissionError, errno.EACCES, "the folder is read-only")
        parent = target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise _folder_error(e, parent, f"create the folder {target.name}") from None
        if not os.access(parent, os.W_OK | os.X_OK):
            raise _folder_error(PermissionError(errno.EACCES, "read-only"), parent, f"write {target.name}")
        for _ in range(100):
            staging = parent / f".{target.name}.staging-{secrets.token_hex(6)}"
            try:
                os.mkdir(staging, 0o777)
            except FileExistsError:
                continue
            except OSError as e:
                raise _folder_error(e, parent, f"write {target.name}") from None
            self._staging = staging
            return staging
        raise FileExistsError(errno.EEXIST, "no free name for a staging folder", os.fspath(parent))

    def commit(self, files: list[Path], run: dict[str, object]) -> list[Path]:
        """Write the manifest and swap the staging folder in; returns the final file paths.

        Parameters
        ----------
        files : list of Path
            The files written into :attr:`staging` (other entries there are kept too).
        run : dict
            JSON-safe facts that name the run every file belongs to (command, scenario, seed...).
        """
        staging = self.staging
        names = sorted({Path(f).name for f in files} - {MANIFEST})
        manifest = {
            "about": "every file in this folder was written by the one gridrisk command described in 'run'",
            "run": run,
            "files": names,
        }
        atomic_write(staging / MANIFEST, json.dumps(manifest, indent=2, default=str))
        target = self.target
        old: Path | None = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{secrets.token_hex(6)}"
            os.rename(target, old)
        try:
            os.rename(staging, target)
        except BaseException:
            if old is not None:
                os.rename(old, target)
            raise
        self._staging = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return [target / n for n in [*names, MANIFEST]]

    def discard(self) -> None:
        """Remove the staging folder if it was not committed."""
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None


def _foreign_entries(folder: Path) -> list[str]:
    """Entries of ``folder`` that its manifest does not list (all of them without a manifest)."""
    entries = sorted(p.name for p in folder.iterdir())
    if not entries:
        return []
    listed: set[str] = set()
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if isinstance(manifest, dict) and isinstance(manifest.get("files"), list):
            listed = {n for n in manifest["files"] if isinstance(n, str)} | {MANIFEST}
    except (OSError, ValueError):
        pass
    return [e for e in entries if e not in listed]
