"""Files holding secrets are created owner-only, whatever the umask, and never replaced unasked."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from events import private_files
from events.private_files import private_directory, private_file, write_private


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_missing_directories_are_created_owner_only_and_existing_ones_left_alone(tmp_path: Path):
    tmp_path.chmod(0o755)

    private_directory(tmp_path / "a" / "b")

    assert mode(tmp_path / "a") == mode(tmp_path / "a" / "b") == 0o700
    assert mode(tmp_path) == 0o755


def test_a_new_database_file_is_created_owner_only(tmp_path: Path):
    private_file(tmp_path / "data" / "ipledge.db")

    assert mode(tmp_path / "data" / "ipledge.db") == 0o600
    assert mode(tmp_path / "data") == 0o700


def test_an_existing_readable_database_file_is_tightened_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    path = tmp_path / "ipledge.db"
    path.write_bytes(b"data")
    path.chmod(0o644)

    with caplog.at_level(logging.WARNING, logger="ipledge"):
        private_file(path)

    assert mode(path) == 0o600 and path.read_bytes() == b"data"
    assert "removed group/other permissions" in caplog.text


def test_a_secrets_file_is_never_visible_with_a_wider_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    modes_when_published: list[int] = []
    link = os.link

    def watching_link(source: str, target: Path) -> None:
        modes_when_published.append(stat.S_IMODE(os.stat(source).st_mode))
        link(source, target)

    monkeypatch.setattr(private_files.os, "link", watching_link)
    write_private(tmp_path / "keys" / "demo-keys.json", '{"admin": "k"}', replace=False)

    assert modes_when_published == [0o600]
    assert mode(tmp_path / "keys" / "demo-keys.json") == 0o600
    assert (tmp_path / "keys" / "demo-keys.json").read_text() == '{"admin": "k"}'
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["demo-keys.json"]


def test_an_existing_secrets_file_is_replaced_only_when_asked(tmp_path: Path):
    path = tmp_path / "demo-keys.json"
    path.write_text("old")

    with pytest.raises(FileExistsError):
        write_private(path, "new", replace=False)
    assert path.read_text() == "old"

    write_private(path, "new", replace=True)
    assert path.read_text() == "new" and mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["demo-keys.json"]
