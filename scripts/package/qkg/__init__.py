"""qkg: the knowledge graph of the City of Québec's international relations.

One installed name, ``qkg``, holds the layers, which sit at the top of the repository:
``qkg.ontology`` <- ``qkg.graph`` <- (``qkg.loaders``, ``qkg.viz``) <- ``qkg.api``.

This file is the package's ``__init__``. In a wheel it lands at ``qkg/__init__.py`` beside the layers (see
pyproject's ``sources`` mapping). In a development install (``pip install -e .``) the ``.pth`` file puts
``scripts/package`` on ``sys.path`` and the lines below add the repository root to the package's search
path, so ``qkg.graph`` is the repository's ``graph/`` folder and source edits apply at once.
"""
from __future__ import annotations

from pathlib import Path as _Path

if not (_Path(__file__).parent / "graph").is_dir():  # development install: the layers are at the repository root
    __path__.append(str(_Path(__file__).resolve().parents[3]))

__version__ = "0.1.0"
