#!/usr/bin/env python3
"""Fetch the browser libraries from the npm registry into ``api/static/vendor/``.

The pages are served with no CDN: every script, style sheet and map they load comes from our own server.
Those files are not committed; this script installs the exact versions pinned in ``package-lock.json``
(``npm ci``) into ``node_modules/`` and copies only the files below, flat, into ``api/static/vendor/``
(git-ignored), then writes ``api/static/vendor/manifest.json``::

    {"<package>": {"version": "<x.y.z>", "license": "<SPDX>", "files": ["<path under vendor/>", ...]}}

It does nothing when the manifest already matches the lock file and every listed file is there.

Which file comes from which package (source path inside the package -> path under ``api/static/vendor/``):

============== ===================================================== ===================================
package        source                                                vendor/
============== ===================================================== ===================================
vis-network    standalone/umd/vis-network.min.js (CSS built in)      vis-network.min.js
vis-timeline   standalone/umd/vis-timeline-graph2d.min.js            vis-timeline-graph2d.min.js
               styles/vis-timeline-graph2d.min.css                   vis-timeline-graph2d.min.css
leaflet        dist/leaflet.js, dist/leaflet.css                     leaflet.js, leaflet.css
               dist/images/*.png (leaflet.css refers to images/)     images/*.png
world-atlas    countries-110m.json, countries-50m.json,              same names (Natural Earth TopoJSON;
               land-110m.json                                        50m keeps the small countries)
topojson-client dist/topojson-client.min.js                          topojson-client.min.js
chart.js       dist/chart.umd.min.js                                 chart.umd.min.js
codemirror     lib/codemirror.js, lib/codemirror.css (5.65 line)     codemirror.js, codemirror.css
               mode/sparql/sparql.js                                 codemirror-sparql.js
============== ===================================================== ===================================

Each package's licence text is copied to ``licenses/<package>.txt``. Usage::

    python3 scripts/assets.py            # fetch if needed
    python3 scripts/assets.py --force    # fetch and copy again

Only the standard library is used, so system ``python3`` runs it before any venv exists.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["ASSETS", "AssetsError", "ensure_assets", "expected_manifest", "main"]

ROOT = Path(__file__).resolve().parent.parent
VENDOR = Path("api/static/vendor")
MANIFEST = "manifest.json"

# package -> list of (source path inside node_modules/<package>, destination path under vendor/)
ASSETS: dict[str, list[tuple[str, str]]] = {
    "vis-network": [
        ("standalone/umd/vis-network.min.js", "vis-network.min.js"),
    ],
    "vis-timeline": [
        ("standalone/umd/vis-timeline-graph2d.min.js", "vis-timeline-graph2d.min.js"),
        ("styles/vis-timeline-graph2d.min.css", "vis-timeline-graph2d.min.css"),
    ],
    "leaflet": [
        ("dist/leaflet.js", "leaflet.js"),
        ("dist/leaflet.css", "leaflet.css"),
        *[
            (f"dist/images/{name}", f"images/{name}")
            for name in ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")
        ],
    ],
    "world-atlas": [
        ("countries-110m.json", "countries-110m.json"),
        ("countries-50m.json", "countries-50m.json"),
        ("land-110m.json", "land-110m.json"),
    ],
    "topojson-client": [
        ("dist/topojson-client.min.js", "topojson-client.min.js"),
    ],
    "chart.js": [
        ("dist/chart.umd.min.js", "chart.umd.min.js"),
    ],
    "swagger-ui-dist": [
        ("swagger-ui-bundle.js", "swagger-ui-bundle.js"),
        ("swagger-ui.css", "swagger-ui.css"),
    ],
    "codemirror": [
        ("lib/codemirror.js", "codemirror.js"),
        ("lib/codemirror.css", "codemirror.css"),
        ("mode/sparql/sparql.js", "codemirror-sparql.js"),
    ],
}

# Licence file names, in the order they are looked for in each package (the first found is copied).
LICENSE_FILES = ("LICENSE", "LICENSE.md", "LICENSE-MIT", "LICENSE.MIT.txt", "LICENSE.txt")

# Packages are installed without their peer dependencies (the standalone builds bundle them) and without
# running install scripts: none of these packages needs one.
NPM_FLAGS = ["--legacy-peer-deps", "--ignore-scripts", "--no-audit", "--no-fund"]


class AssetsError(Exception):
    """A fetch or copy failed; the message names the cause and the fix."""


def _say(message: str) -> None:
    print(f"[assets] {message}", flush=True)


def locked_versions(root: Path = ROOT) -> dict[str, str]:
    """Return the version of each package of :data:`ASSETS` pinned in ``package-lock.json``."""
    lock_path = root / "package-lock.json"
    try:
        packages = json.loads(lock_path.read_text(encoding="utf-8"))["packages"]
    except FileNotFoundError:
        raise AssetsError(f"{lock_path} is missing: run `npm install {NPM_FLAGS[0]}` at the repo root") from None
    versions = {}
    for name in ASSETS:
        entry = packages.get(f"node_modules/{name}")
        if entry is None:
            raise AssetsError(f"{name} is not in package-lock.json: add it to package.json and run npm install")
        versions[name] = entry["version"]
    return versions


def expected_manifest(root: Path = ROOT) -> dict[str, dict]:
    """The manifest that matches the lock file: version and vendor/ files of each package (no licence)."""
    return {
        name: {"version": version, "files": [dest for _, dest in ASSETS[name]]}
        for name, version in locked_versions(root).items()
    }


def is_current(root: Path = ROOT) -> bool:
    """True when the vendor manifest matches the lock file and every file it lists is there and non-empty."""
    vendor = root / VENDOR
    try:
        manifest = json.loads((vendor / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return False
    for name, want in expected_manifest(root).items():
        have = manifest.get(name, {})
        if have.get("version") != want["version"] or have.get("files") != want["files"]:
            return False
        if not all((vendor / f).is_file() and (vendor / f).stat().st_size > 0 for f in want["files"]):
            return False
    return True


def _npm_install(root: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError("npm not found: install Node.js 20 with npm (Debian: apt-get install nodejs npm)")
    verb = "ci" if (root / "package-lock.json").exists() else "install"
    log = root / "node_modules" / ".qkg-npm.log"
    proc = subprocess.run([npm, verb, *NPM_FLAGS], cwd=root, capture_output=True, text=True)
    log.parent.mkdir(exist_ok=True)
    log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise AssetsError(f"npm {verb} failed ({tail[0]}): see {log}; check that the npm registry is reachable")


def _license_of(package_dir: Path) -> tuple[str, Path | None]:
    meta = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    text = next((package_dir / f for f in LICENSE_FILES if (package_dir / f).is_file()), None)
    return str(meta.get("license", "unknown")), text


def _copy(root: Path, versions: dict[str, str]) -> dict[str, dict]:
    vendor = root / VENDOR
    if vendor.exists():
        shutil.rmtree(vendor)
    (vendor / "licenses").mkdir(parents=True)
    manifest = {}
    for name, files in ASSETS.items():
        package_dir = root / "node_modules" / name
        installed = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))["version"]
        if installed != versions[name]:
            raise AssetsError(f"node_modules/{name} is {installed}, lock says {versions[name]}: rerun with --force")
        for source, dest in files:
            src = package_dir / source
            if not src.is_file():
                raise AssetsError(f"{name}@{installed} has no {source}: update ASSETS in scripts/assets.py")
            (vendor / dest).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, vendor / dest)
        license_name, license_text = _license_of(package_dir)
        if license_text is not None:
            shutil.copyfile(license_text, vendor / "licenses" / f"{name}.txt")
        manifest[name] = {"version": installed, "license": license_name, "files": [d for _, d in files]}
    # Written last: an interrupted copy leaves no manifest, so the next run starts again.
    (vendor / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def ensure_assets(root: Path = ROOT, *, force: bool = False) -> bool:
    """Install the front-end assets unless they are current; return True when something was fetched.

    Raises :class:`AssetsError` with a one-line message naming the fix.
    """
    if not force and is_current(root):
        _say(f"up to date ({len(ASSETS)} packages in {VENDOR}/)")
        return False
    versions = locked_versions(root)
    start = time.monotonic()
    _npm_install(root)
    manifest = _copy(root, versions)
    count = sum(len(entry["files"]) for entry in manifest.values())
    _say(f"fetched {count} files from {len(manifest)} packages into {VENDOR}/ in {time.monotonic() - start:.1f} s")
    _say("licences: " + ", ".join(f"{n}@{e['version']} {e['license']}" for n, e in sorted(manifest.items())))
    return True


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python3 scripts/assets.py [--force]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="reinstall and copy even when up to date")
    args = parser.parse_args(argv)
    try:
        ensure_assets(ROOT, force=args.force)
    except AssetsError as exc:
        print(f"assets.py: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
