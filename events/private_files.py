"""Files that hold secrets (the SQLite database with the signing key and webhook secrets, the
demo's API keys) are created readable by their owner only, never world-readable for an instant.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from pathlib import Path

log = logging.getLogger("ipledge")
OWNER_ONLY_FILE = 0o600
OWNER_ONLY_DIR = 0o700


def private_directory(path: Path) -> None:
    """Creates ``path`` and any missing parents with mode 0700. Directories that already
    exist are left as they are: they may be the operator's (``.``, a mounted volume)."""
    missing = []
    for candidate in (path, *path.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=OWNER_ONLY_DIR)
        except FileExistsError:
            continue  # another process made it first
        directory.chmod(OWNER_ONLY_DIR)  # mkdir's mode is filtered by the umask


def private_file(path: Path) -> None:
    """Makes sure ``path`` exists with no group or other permissions, before anything (SQLite)
    opens it: SQLite gives its -wal, -shm and -journal files the database file's mode."""
    private_directory(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, OWNER_ONLY_FILE)
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        if mode & 0o077:
            _tighten(fd, path, mode)
    finally:
        os.close(fd)


def _tighten(fd: int, path: Path, mode: int) -> None:
    try:
        os.fchmod(fd, mode & ~0o077)
    except PermissionError:
        log.warning(
            "file with secrets is readable by others and is not ours to change",
            extra={"path": str(path), "mode": oct(mode)},
        )
        return
    log.warning(
        "removed group/other permissions from a file with secrets",
        extra={"path": str(path), "was": oct(mode), "now": oct(mode & ~0o077)},
    )


def write_private(path: Path, text: str, *, replace: bool) -> None:
    """Writes ``text`` to ``path`` (mode 0600) atomically: a 0600 temporary file in the same
    directory, then a rename. Unless ``replace``, an existing file is left untouched and
    FileExistsError raised."""
    private_directory(path.parent)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if path exists, atomically
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
