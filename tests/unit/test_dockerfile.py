"""The image is built from the packages the project declares: a package added to pyproject.toml
but not copied into the build stage would install nothing and fail at import in production."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_IN_THE_IMAGE = {"bench"}  # the benchmark harness needs a source checkout, never the image


def test_the_image_copies_every_runtime_package_the_project_declares() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "Dockerfile").read_text(), re.M))
    assert declared - NOT_IN_THE_IMAGE <= copied
