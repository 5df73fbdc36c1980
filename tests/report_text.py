"""Where the 2024 report's text is on this machine, if anywhere (it is read at test time, never stored)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = [os.environ.get("QKG_REPORT", ""), ROOT.parent / "shared" / "seeds" / "bri-2024-rapport.txt"]
REPORT = next((Path(p) for p in CANDIDATES if p and Path(p).is_file()), None)
needs_report = pytest.mark.skipif(
    REPORT is None, reason="the 2024 report's text is not on this machine (set QKG_REPORT)"
)
