"""A per-file cache of what the loader made of a source file, keyed by the file's content.

An entry holds one file's loaded result (its record, requirements and findings), pickled,
under a key that is the SHA-256 of: the file's bytes, its path relative to the root, the
kind of file, govkb's version and the bytes of the schemas and of the loader's own code.
So an entry can only be found for exactly the same input read by exactly the same loader:
it never serves stale data, and nothing ever has to invalidate it (strictdoc keeps such a
pickle cache too).

Entries are kept in a few pack files rather than one file each: creating thousands of small
files costs more system time than parsing them (ext4 searches its inode bitmaps for every
new file, most of all after many were deleted).  A key's first nine hex digits name its pack
(``<key[:9]>.pack``): the first eight are those of the code that made it (see
:meth:`FileCache.key`), so the entries of older code are in packs never opened again, and
the ninth spreads one code's entries over sixteen packs, so that a small edit rewrites a
sixteenth of them.  A pack is a header, an index (key -> where its pickle lies and its CRC-32)
and the pickles; entries found are read by their offset and checked against their CRC (a
damaged entry is a miss, even one whose damage lies in a pickle kept inside it, which would
only fail when read: :mod:`govkb.model.deferred`), entries made are kept in memory until
:meth:`FileCache.save`, which merges them into their packs (each rewritten whole to a
temporary file, then renamed over the old: two runs at once lose at most an entry, never
mix one).  A pack keeps at most :data:`MAX_PACK_BYTES`: past that its oldest entries go.

The cache lives outside the source tree: ``$GOVKB_CACHE_DIR`` if set, else
``$XDG_CACHE_HOME/govkb``, else ``~/.cache/govkb``; ``GOVKB_NO_CACHE=1`` (or ``govkb check
--no-cache``) turns it off.  The cache keeps itself small: a save removes the packs of all
but the :data:`KEEP_CODES` codes written most recently (each govkb upgrade or code change makes
new packs; switching back and forth between a few versions keeps their entries), the
``*.pickle`` files of the earlier one-file-per-entry layout and temporary files a killed run
left behind.  Any problem with the cache (unreadable, corrupt, truncated, a read-only disk)
is silently a miss: the file is parsed as if there were no cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import struct
import time
import weakref
import zlib
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, Callable, Mapping, TypeVar

import govkb

# What the key covers of govkb itself, relative to the package: the loader and what it builds.
_CODE = ("load", "model", "model.py", "files.py", "findings.py", "codes.py", "text.py", "schemas")
# A pack's first bytes: the format's name, then the index's length (8 bytes, little-endian).
_MAGIC = b"govkb-pack-2\n"
_HEADER = struct.Struct("<Q")
# Past this a pack drops its oldest entries (those of files since edited, or of other
# knowledge bases): one code's sixteen packs hold at most a gigabyte.
MAX_PACK_BYTES = 64 << 20
# Hex digits of a key that name its pack (8 for the code, 1 to spread over 16 packs).
_PACK_DIGITS = 9
# The codes whose packs a save keeps: a code is a key's first eight hex digits, and govkb
# check writes under two (the loader's and the checks' memo), so about three versions of govkb.
KEEP_CODES = 6
_LEGACY = re.compile(r"[0-9a-f]{64}\.pickle")  # an entry of the one-file-per-entry layout
_STALE_TEMPORARY_S = 3600.0  # a temporary pack older than this was left by a run that died
_PREAD = hasattr(os, "pread")  # not on Windows


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


@lru_cache(maxsize=4)
def _salted(salt: bytes) -> Any:
    """A SHA-256 that has read ``salt``, to be copied (each of 7,000 keys a warm run makes
    starts with one of two salts)."""
    return hashlib.sha256(salt)


def _keyed(salt: bytes, digest: Any) -> str:
    """A key: the salt's first four bytes (which code made the entry), then the digest."""
    return salt[:4].hex() + digest.hexdigest()[8:]


class _Pack:
    """One pack file opened for reading: its index, and the file its entries are read from."""

    def __init__(self, path: Path) -> None:
        self.index: dict[str, tuple[int, int, int]] = {}
        self.stream: BinaryIO | None = None
        self._close: weakref.finalize | None = None
        try:
            stream = open(path, "rb", buffering=0)
        except OSError:  # no pack yet (or none to be had): every key of it is a miss
            return
        self._close = weakref.finalize(self, stream.close)  # no file left open by a dropped cache
        try:
            self.index = _read_index(stream)
            self.stream = stream
        except Exception:  # corrupt or truncated: as if there were no pack
            self.close()

    def read(self, key: str) -> bytes | None:
        where = self.index.get(key)
        if where is None or self.stream is None:
            return None
        offset, length, crc = where
        try:
            # pread: one system call, and forked workers share this file's offset (govkb.load.pool),
            # so a seek would race
            blob = os.pread(self.stream.fileno(), length, offset) if _PREAD else self._read_at(offset, length)
        except (OSError, ValueError):  # ValueError: the stream was closed meanwhile
            return None
        return blob if blob is not None and len(blob) == length and zlib.crc32(blob) == crc else None

    def _read_at(self, offset: int, length: int) -> bytes | None:
        assert self.stream is not None
        self.stream.seek(offset)
        return self.stream.read(length)

    def close(self) -> None:
        self.index, self.stream = {}, None
        if self._close is not None:
            self._close()


def _read_index(stream: BinaryIO) -> dict[str, tuple[int, int, int]]:
    """A pack's index, offsets from the start of the file; raises on anything malformed."""
    head = stream.read(len(_MAGIC) + _HEADER.size)
    if head[:len(_MAGIC)] != _MAGIC or len(head) != len(_MAGIC) + _HEADER.size:
        raise ValueError("not a pack")
    (length,) = _HEADER.unpack_from(head, len(_MAGIC))
    size = os.fstat(stream.fileno()).st_size
    if len(head) + length > size:  # checked first: a damaged length must not size a read
        raise ValueError("truncated index")
    raw = stream.read(length)
    if len(raw) != length:
        raise ValueError("truncated index")
    relative = pickle.loads(raw)
    base = len(head) + length
    index = {key: (base + offset, count, crc) for key, (offset, count, crc) in relative.items()}
    if any(offset + count > size for offset, count, _ in index.values()):
        raise ValueError("truncated pack")
    return index


def _pack_bytes(entries: dict[str, bytes]) -> list[bytes]:
    """A pack holding ``entries`` in their order, as the pieces to write one after another."""
    index: dict[str, tuple[int, int, int]] = {}
    offset = 0
    for key, blob in entries.items():
        index[key] = (offset, len(blob), zlib.crc32(blob))
        offset += len(blob)
    raw = pickle.dumps(index, pickle.HIGHEST_PROTOCOL)
    return [_MAGIC, _HEADER.pack(len(raw)), raw, *entries.values()]


class FileCache:
    """Loaded results by content key; every failure is a miss (``directory`` None: always).

    What is put is kept in memory (and found there) until :meth:`save` writes it down."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.hits = self.misses = 0
        self._packs: dict[str, _Pack] = {}
        self._new: dict[str, bytes] = {}

    def key(self, kind: str, rel: str, raw: bytes) -> str:
        digest = _salted(code_salt()).copy()
        digest.update(f"\0{kind}\0{rel}\0".encode())
        digest.update(raw)
        return _keyed(code_salt(), digest)

    def memo(self, namespace: str, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, kept under (govkb's code, the parsers' versions, ``namespace``,
        ``key``): a :class:`govkb.checks.context.Memo` for the checks."""
        if self.directory is None:
            return compute()
        digest = _salted(checks_salt()).copy()
        digest.update(f"\0{namespace}\0".encode())
        digest.update(key.encode("utf-8", "surrogatepass"))
        return self.kept(_keyed(checks_salt(), digest), compute)

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
        blob = self._new.get(key)
        if blob is None:
            name = key[:_PACK_DIGITS]
            pack = self._packs.get(name)
            if pack is None:
                pack = self._packs[name] = _Pack(self.directory / f"{name}.pack")
            blob = pack.read(key)
        try:
            if blob is None:
                raise KeyError(key)
            value = pickle.loads(blob)
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
        """Keep ``pickled`` (``pickle.dumps`` of the value) under ``key``: what the loader does
        with the bytes a worker process of :mod:`govkb.load.pool` sends it."""
        if self.directory is not None:
            self._new[key] = pickled

    def pending(self) -> int:
        """How many entries were put since the last save."""
        return len(self._new)

    def pending_since(self, start: int) -> list[tuple[str, bytes]]:
        """The entries put since the last save, from the ``start``-th on, in the order put
        (pickled): what a forked worker of :mod:`govkb.load.pool` sends back."""
        return list(islice(self._new.items(), start, None))

    def save(self) -> None:
        """Write what was put since the last save into its packs (nothing when nothing was)."""
        new, self._new = self._new, {}
        for pack in self._packs.values():
            pack.close()
        self._packs = {}
        if self.directory is None or not new:
            return
        by_pack: dict[str, dict[str, bytes]] = {}
        for key, blob in new.items():
            by_pack.setdefault(key[:_PACK_DIGITS], {})[key] = blob
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError:  # a read-only disk, a file in the way: the run goes on without the entries
            return
        for name, entries in by_pack.items():
            self._merge(self.directory / f"{name}.pack", entries)
        _prune(self.directory, {name[:8] for name in by_pack})

    def _merge(self, target: Path, entries: dict[str, bytes]) -> None:
        """Rewrite the pack at ``target`` with ``entries`` added (the newest last)."""
        merged: dict[str, bytes] = {}
        old = _Pack(target)
        if old.stream is not None:
            for key in old.index:
                if key not in entries:
                    blob = old.read(key)
                    if blob is not None:
                        merged[key] = blob
        old.close()
        merged.update(entries)
        size = sum(map(len, merged.values()))
        for key in list(merged):
            if size <= MAX_PACK_BYTES or key in entries:
                break
            size -= len(merged.pop(key))
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            with open(temporary, "wb") as stream:
                stream.writelines(_pack_bytes(merged))
            os.replace(temporary, target)  # whole or not at all, even with two runs at once
        except Exception:  # a read-only or full disk: the run goes on without the entries
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass


def _prune(directory: Path, written: set[str]) -> None:
    """Remove from ``directory`` what no run will read: the packs of codes other than the
    :data:`KEEP_CODES` most recently written (``written``, the codes this save wrote, always
    stay), legacy ``*.pickle`` entries and old temporary packs.  Only names this module makes
    are touched, and a file that cannot be removed is left."""
    try:
        listing = list(os.scandir(directory))
    except OSError:
        return
    newest: dict[str, float] = {}
    packs: list[tuple[str, str]] = []
    doomed: list[str] = []
    now = time.time()
    for entry in listing:
        name = entry.name
        try:
            if name.endswith(".pack") and len(name) == _PACK_DIGITS + 5 and entry.is_file(follow_symlinks=False):
                code = name[:8]
                newest[code] = max(newest.get(code, 0.0), entry.stat(follow_symlinks=False).st_mtime)
                packs.append((code, entry.path))
            elif _LEGACY.fullmatch(name) or (name.startswith(".") and name.endswith(".tmp") and ".pack." in name
                                              and now - entry.stat(follow_symlinks=False).st_mtime > _STALE_TEMPORARY_S):
                doomed.append(entry.path)
        except OSError:
            continue
    others = sorted((code for code in newest if code not in written), key=newest.__getitem__, reverse=True)
    kept = written | set(others[:max(0, KEEP_CODES - len(written))])
    doomed += [path for code, path in packs if code not in kept]
    for path in doomed:
        try:
            os.unlink(path)
        except OSError:
            pass
