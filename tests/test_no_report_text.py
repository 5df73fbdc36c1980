"""No sentence of the report is in the repository: no 10-word window of any tracked file is one of the report's.

The report's windows are stored only as hashes (tests/data/report-10grams.sha256), never as text.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HASHES = Path(__file__).parent / "data" / "report-10grams.sha256"


def _windows(text: str, n: int = 10):
    words = re.findall(r"\w+", text.lower())
    for i in range(len(words) - n):
        yield " ".join(words[i : i + n])


def _digest(window: str) -> str:
    return hashlib.sha256(window.encode()).hexdigest()[:16]


def test_no_tracked_file_repeats_ten_words_of_the_report():
    known = {line for line in HASHES.read_text().splitlines() if line and not line.startswith("#")}
    assert len(known) > 3000
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    hits = {}
    for name in files:
        path = ROOT / name
        if path == HASHES or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for window in _windows(text):
            if _digest(window) in known:
                hits[name] = window
                break
    assert hits == {}


def test_the_check_would_catch_a_copied_sentence():
    known = {line for line in HASHES.read_text().splitlines() if line and not line.startswith("#")}
    # Ten words of an annex heading, stored backwards so that this file itself does not repeat the report.
    backwards = "de rencontres chronologique ordre en bri le par coordonnés accueils"
    probe = " ".join(reversed(backwards.split()))
    assert _digest(probe) in known
    assert _digest(backwards) not in known
