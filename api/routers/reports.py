"""Quarterly supervision reports and banks' NPL submissions (SPEC §9)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["reports"])
