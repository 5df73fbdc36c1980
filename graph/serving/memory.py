"""The process's own memory: hand freed pages back to the system, and read its peak.

The build frees large structures between its steps (the staging store held in memory, a group of artefacts'
query answers, SHACL's view); CPython and the allocator keep their pages unless asked, so each step's peak
would add to the previous one's. Home of :func:`release_memory` and :func:`peak_mb`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
from pathlib import Path

__all__ = ["peak_mb", "release_memory"]


def release_memory() -> None:
    """Collect, then hand the allocator's free pages back to the system (glibc's ``malloc_trim``): millions of
    small objects (query answers) or a store's in-memory tables leave their pages with the process otherwise.

    >>> release_memory()  # a no-op where glibc is absent
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


def peak_mb() -> float | None:
    """This process's peak resident memory so far, in MB (``VmHWM``; None where /proc has no such line).

    >>> (peak_mb() or 1.0) > 0
    True
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None
