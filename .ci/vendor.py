"""Copy the front-end libraries the pages use from node_modules/ into catalogue/static/vendor/.

The libraries are installed from the npm registry at the versions pinned in package-lock.json
(``npm ci``, which ``make vendor`` runs first); nothing under static/vendor/ is kept in git.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
TARGET = ROOT / "catalogue" / "static" / "vendor"

# package -> (files or folders inside the package, folder under vendor/)
COPIES = {
    "openseadragon": (["build/openseadragon/openseadragon.min.js"], "openseadragon"),
    "leaflet": (
        ["dist/leaflet.js", "dist/leaflet.css", "dist/images"],
        "leaflet",
    ),
}


def main() -> int:
    versions = {}
    for package, (paths, folder) in COPIES.items():
        source = MODULES / package
        if not (source / "package.json").exists():
            print(f"{package} is not installed: run `npm ci` first.", file=sys.stderr)
            return 1
        versions[package] = json.loads((source / "package.json").read_text())["version"]
        destination = TARGET / folder
        shutil.rmtree(destination, ignore_errors=True)
        destination.mkdir(parents=True)
        for path in paths:
            item = source / path
            if item.is_dir():
                shutil.copytree(item, destination / item.name)
            else:
                shutil.copy2(item, destination / item.name)
    (TARGET / "versions.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    print("static/vendor: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
