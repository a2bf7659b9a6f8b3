"""A fingerprint of the code that computed a stored result, so a change to that code recomputes it.

Stored results that are kept while their inputs are unchanged (a closed campaign's dashboard
results, the engagement-comment themes) include this in their inputs digest. A package version
would not do: it is not bumped for every fix, and a fix to a statistic or a suppression rule must
reach every stored result at the next ``groundswell analyze``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from pathlib import Path

__all__ = ["source_fingerprint"]


@functools.lru_cache(maxsize=None)
def source_fingerprint(*module_names: str) -> str:
    """SHA-256 over the source files of the named modules, in the order given."""
    digest = hashlib.sha256()
    for name in module_names:
        module = importlib.import_module(name)
        digest.update(name.encode("utf-8") + b"\0" + Path(module.__file__).read_bytes())
    return digest.hexdigest()
