"""Files derived from the installed embedding model, kept between runs so that a process loads them instead of
deriving them again: the embedding worker loads the model at the start of every import of Japanese comments (the
first import of a process, for the command line), and at 10k rows that load was most of an import's time.

- the int8 graph as onnxruntime saved it after optimising it (ORT format): 0.1 s to load instead of 0.3 s to build
  and 0.15 s to optimise;
- the tokenizer's 250,002 pieces and its normalisation map, in groups by their first character
  (``e5_fast.grouped_pieces``): a process reads only the groups its texts need (a few hundred Japanese sentences: a
  fifth of them, 0.04 s) instead of reading all of them from the model file (0.25 s).

Where: ``$CXDASH_CACHE_DIR``, else ``$XDG_CACHE_HOME/cxdash``, else ``~/.cache/cxdash``. ``CXDASH_CACHE_DIR=off``,
or a directory that cannot be made or written, turns the cache off: everything is derived in memory each time.

A file's name carries a key of everything it is derived from: the model file (its size and modification time), the
versions of Python, onnxruntime and marshal's format, the processor's kind and the source of the cxdash modules that
derive it. A new model, library or cxdash is never read through an old file. A file is written under a temporary name
and renamed, so a reader never sees half of one; one that cannot be read is derived again and replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

ENV = "CXDASH_CACHE_DIR"
OFF = ("off", "0", "none", "no", "false")


def cache_dir() -> Path | None:
    """The cache directory (made if missing), or None when the cache is off or the directory cannot be written."""
    chosen = os.environ.get(ENV)
    if chosen is not None and chosen.strip().lower() in OFF:
        return None
    if chosen:
        path = Path(chosen).expanduser()
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = Path(base) / "cxdash"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK | os.X_OK) else None


def path_for(kind: str, extension: str, model: Path, sources: Iterable[Path], *parts: object) -> Path | None:
    """Where the file of this kind derived from ``model`` is kept (``kind-key.extension``), or None when the cache
    is off or the key cannot be made (a source that cannot be read). The key hashes the model file's name, size and
    modification time, the sources' bytes, the given parts, and the Python, marshal and processor this runs on."""
    directory = cache_dir()
    if directory is None:
        return None
    h = hashlib.sha256()
    try:
        st = model.stat()
        described: tuple[object, ...] = (sys.version_info[:2], marshal.version, platform.machine())
        for part in (*described, model.name, st.st_size, st.st_mtime_ns, *parts):
            h.update(repr(part).encode() + b"\0")
        for source in sources:
            h.update(source.read_bytes() + b"\0")
    except OSError:
        return None
    return directory / f"{kind}-{h.hexdigest()[:20]}.{extension}"


def write_atomically(path: Path, write: Callable[[Path], object]) -> bool:
    """Have ``write`` write a temporary file beside ``path``, then rename it to ``path``; False (and nothing left
    behind) when that fails (a full disk, a read-only directory). The files it replaces, those of the same kind with
    another key (``kind-key.ext``: an older model or cxdash), are removed: the cache holds one of each kind."""
    try:
        # ".name.XXXX.tmp.ext": the extension tells a writer the format (onnxruntime's), the dot keeps it apart
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    except OSError:
        return False
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    kind = path.name.rsplit("-", 1)[0]
    for old in path.parent.glob(f"{kind}-*{path.suffix}"):
        if old != path and old.name.rsplit("-", 1)[0] == kind:
            with contextlib.suppress(OSError):
                old.unlink()
    return True
