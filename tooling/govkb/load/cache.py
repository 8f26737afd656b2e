"""A per-file cache of what the loader made of a source file, keyed by the file's content.

An entry holds one file's loaded result (its record, requirements and findings), pickled,
under a key that is the SHA-256 of: the file's bytes, its path relative to the root, the
kind of file, govkb's version and the bytes of the schemas and of the loader's own code.
So an entry can only be found for exactly the same input read by exactly the same loader:
it never serves stale data, and nothing ever has to invalidate it (strictdoc keeps such a
pickle cache too).

The cache lives outside the source tree: ``$GOVKB_CACHE_DIR`` if set, else
``$XDG_CACHE_HOME/govkb``, else ``~/.cache/govkb``; ``GOVKB_NO_CACHE=1`` (or ``govkb check
--no-cache``) turns it off.  Old entries are never read again; delete the directory to
reclaim the space.  Any problem with the cache (unreadable, corrupt, a read-only disk) is
silently a miss: the file is parsed as if there were no cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

import govkb

# What the key covers of govkb itself, relative to the package: the loader and what it builds.
_CODE = ("load", "model", "model.py", "files.py", "findings.py", "codes.py", "text.py", "schemas")


def cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where entries live, or None when caching is off."""
    environ = os.environ if environ is None else environ
    if environ.get("GOVKB_NO_CACHE", "") not in ("", "0"):
        return None
    if environ.get("GOVKB_CACHE_DIR"):
        return Path(environ["GOVKB_CACHE_DIR"])
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govkb"


@lru_cache(maxsize=1)
def code_salt() -> bytes:
    """A digest of govkb's version and of every file of the loader, model and schemas."""
    package = Path(govkb.__file__).parent
    digest = hashlib.sha256(govkb.__version__.encode())
    for name in _CODE:
        target = package / name
        files = sorted(p for p in target.rglob("*") if p.suffix in (".py", ".json")) if target.is_dir() else [target]
        for path in files:
            if path.is_file():
                digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


# The libraries whose behaviour a memoized check result depends on (parsers of MyST and SQL).
_LIBRARIES = ("markdown_it", "mdit_py_plugins", "myst_parser", "sqlglot", "yaml")
T = TypeVar("T")


@lru_cache(maxsize=1)
def checks_salt() -> bytes:
    """A digest of every file of govkb and of the parsers' installed files: what a memoized
    check result (:meth:`FileCache.memo`) depends on besides its key.

    A library is identified by the size and time of its ``__init__.py`` (an upgrade rewrites
    it), found without importing it: importing the parsers, or ``importlib.metadata``, would
    cost more than the memo saves."""
    from importlib.util import find_spec

    package = Path(govkb.__file__).parent
    digest = hashlib.sha256(code_salt())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for name in _LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            stat = os.stat(origin) if origin else None
        except OSError:
            stat = None
        digest.update(f"\0{name}={origin}:{stat.st_size if stat else '-'}:{stat.st_mtime_ns if stat else '-'}".encode())
    return digest.digest()


class FileCache:
    """Loaded results by content key; every failure is a miss (``directory`` None: always)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.hits = self.misses = 0

    def key(self, kind: str, rel: str, raw: bytes) -> str:
        digest = hashlib.sha256(code_salt())
        digest.update(f"\0{kind}\0{rel}\0".encode())
        digest.update(raw)
        return digest.hexdigest()

    def memo(self, namespace: str, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, kept under (govkb's code, the parsers' versions, ``namespace``,
        ``key``): a :class:`govkb.checks.context.Memo` for the checks."""
        if self.directory is None:
            return compute()
        digest = hashlib.sha256(checks_salt())
        digest.update(f"\0{namespace}\0".encode())
        digest.update(key.encode("utf-8", "surrogatepass"))
        return self.kept(digest.hexdigest(), compute)

    def kept(self, key: str, compute: Callable[[], T]) -> T:
        """The entry under ``key``, or ``compute()`` stored there."""
        found = self.get(key)
        if found is not None:
            return found
        value = compute()
        self.put(key, value)
        return value

    def get(self, key: str) -> Any | None:
        if self.directory is None:
            return None
        try:
            with open(self.directory / f"{key}.pickle", "rb") as stream:
                value = pickle.load(stream)
        except Exception:  # missing, unreadable or corrupt: parse the file instead
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        if self.directory is None:
            return
        try:
            pickled = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        except Exception:  # cannot be pickled: the run goes on without the entry
            return
        self.put_pickled(key, pickled)

    def put_pickled(self, key: str, pickled: bytes) -> None:
        """Keep ``pickled`` (``pickle.dumps`` of the value) under ``key``: what a worker process
        of :mod:`govkb.load.pool` does, which sends the same bytes to the loader."""
        if self.directory is None:
            return
        target = self.directory / f"{key}.pickle"
        temporary = self.directory / f".{key}.{os.getpid()}.tmp"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(pickled)
            os.replace(temporary, target)  # whole or not at all, even with two runs at once
        except Exception:  # a read-only or full disk: the run goes on without the entry
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass
