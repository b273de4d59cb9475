"""What is installed, read from the metadata directories on ``sys.path``.

Every cached run keys its record by the plugins installed and the Kubernetes schemas'
version (``lint.rerun``). ``importlib.metadata`` answers both, but importing it costs 25 ms
(email, zipfile, csv): a tenth of a run that reprints its record. The answers are in the
names of the ``*.dist-info`` directories (``name-version.dist-info``) and in their
``entry_points.txt``, so they are read here, and ``importlib.metadata`` is asked only when
this reading could miss something: a path entry that is a file (a zip, an egg), a finder
of distributions other than the standard path finder, a metadata directory whose name
holds no version, or an ``entry_points.txt`` that names the group asked about.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.machinery import PathFinder

_METADATA_DIR = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+?)(?:-py[^-]*)?\.(?:dist|egg)-info$", re.IGNORECASE)


@dataclass(frozen=True)
class Installed:
    """The distributions found on ``sys.path``: normalised name -> version (the first found
    wins, as importlib.metadata's), and the entry point groups their files mention."""

    versions: dict[str, str] = field(default_factory=dict)
    entry_point_text: tuple[bytes, ...] = ()
    complete: bool = True  # False: importlib.metadata may know more than this reading


def normalized(name: str) -> str:
    """PEP 503's normalisation (``kubernetes_validate`` and ``Kubernetes-Validate`` are one)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed() -> Installed:
    """The metadata directories on ``sys.path``, listed on every call (installing a
    distribution adds one) and read again when the list changed."""
    if any(hasattr(finder, "find_distributions") and finder is not PathFinder for finder in sys.meta_path):
        return Installed(complete=False)  # a finder importlib.metadata asks and this cannot
    listing: list[tuple[str, tuple[str, ...] | None]] = []
    for entry in sys.path:
        folder = entry or os.getcwd()
        try:
            names = tuple(sorted(name for name in os.listdir(folder) if name.lower().endswith((".dist-info", ".egg-info"))))
        except NotADirectoryError:
            names = None  # a zip or an egg file
        except OSError:
            continue  # a path entry that does not exist: importlib.metadata skips it too
        listing.append((folder, names))
    return _read(tuple(listing))


@lru_cache(maxsize=4)
def _read(listing: tuple[tuple[str, tuple[str, ...] | None], ...]) -> Installed:
    versions: dict[str, str] = {}
    texts: list[bytes] = []
    complete = True
    for folder, names in listing:
        if names is None:
            complete = False
            continue
        for name in names:
            match = _METADATA_DIR.match(name)
            if match is None:
                complete = False  # a develop install's `name.egg-info`: no version in the name
                continue
            versions.setdefault(normalized(match["name"]), match["version"])
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), "rb") as handle:
                    texts.append(handle.read())
            except OSError:
                continue
    return Installed(versions, tuple(texts), complete)


def version(name: str) -> str | None:
    """The installed version of distribution ``name``, or None if it is not installed."""
    found = installed()
    if found.complete:
        return found.versions.get(normalized(name))
    from importlib import metadata

    try:
        return metadata.version(name)
    except (metadata.PackageNotFoundError, ValueError):
        return None


def has_entry_points(group: str) -> bool:
    """Whether some installed distribution declares an entry point in ``group``."""
    found = installed()
    if found.complete and not any(f"[{group}]".encode() in text for text in found.entry_point_text):
        return False
    from importlib import metadata

    return bool(metadata.entry_points(group=group))
