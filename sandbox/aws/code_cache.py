"""What makes a version's cold start in the sandbox take under two seconds instead of four: the
files of extracted packages and their compiled bytecode are shared between versions.

Every deploy makes a new version, and every version gets its own directory and its own process,
as in AgentCore. But consecutive versions of an agent differ in a file or two: the thousands of
dependency files are the same. So each file is written once into the workspace's file store and
hard-linked into every version directory that holds it (same bytes, same mode), and each `.py`
file's bytecode is compiled once, keyed by the source's SHA-256, and placed in the version's
`__pycache__` as `unchecked-hash` bytecode (PEP 552), which Python loads wherever the source is.
Bytecode is compiled in the background once an agent is up, so the first start of a package is no
slower than without the cache; the versions after it start with it.
The bytecode store is kept between sandbox runs, beside the host wheels; the file store lives in
the (memory-backed) workspace, which links need.

Nothing an agent sees changes but the time: the directory holds the same files with the same
modes, and a module whose bytecode is missing is compiled at import as before. A version that
writes into its own code directory would write into the shared file, so such agents must not
share files: none of the agents here do, and AgentCore's code directory is not for writing.
"""

import hashlib
import json
import os
import shutil
import subprocess
import threading
import uuid
import zipfile
from pathlib import Path

# Bytecode keyed this way is exact: the key is the source's content, the mode does not check it.
COMPILE_SCRIPT = """
import json, py_compile, sys
for source, target, shown in json.load(open(sys.argv[1])):
    try:
        py_compile.compile(source, cfile=target, dfile=shown, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except Exception:
        pass  # templates and Python 2 leftovers in wheels: compiled (or not) at import, as before
"""
COMPILE_TIMEOUT_SECONDS = 600


class CodeCache:
    def __init__(self, files: Path, bytecode: Path):
        self.files = files  # in the workspace: hard links need the version directories' file system
        self.bytecode = bytecode  # kept between runs
        self._lock = threading.Lock()
        # SHA-256 of each stored file by inode: a file another version shares is not read again.
        self._digests: dict[int, str] = {}

    # Files ------------------------------------------------------------------------------------

    def extract(self, archive: zipfile.ZipFile, entry: zipfile.ZipInfo, target: Path, mode: int) -> None:
        """`entry` of `archive` at `target`: linked from the store, written there first if new."""
        name = hashlib.sha256(entry.filename.encode()).hexdigest()[:16]
        key = f"zip-{entry.CRC:08x}-{entry.file_size}-{mode:o}-{name}"

        def write(path: Path) -> None:
            with archive.open(entry) as source, open(path, "wb") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)

        self._place(key, mode, write, target)

    def copy_tree(self, source: Path, root: Path) -> None:
        """Every file under `source` at the same place under `root` (replacing what is there)."""
        for directory, _, names in os.walk(source):
            relative = Path(directory).relative_to(source)
            (root / relative).mkdir(parents=True, exist_ok=True)
            for name in names:
                if relative == Path(".") and name in (".complete", ".lock"):
                    continue
                path = Path(directory) / name
                info = path.stat()
                mode = info.st_mode & 0o777
                key = f"copy-{hashlib.sha256(str(path).encode()).hexdigest()[:16]}-{info.st_size}-{info.st_mtime_ns}-{mode:o}"
                target = root / relative / name
                target.unlink(missing_ok=True)
                self._place(key, mode, lambda stored, path=path: shutil.copyfile(path, stored), target)

    def _place(self, key: str, mode: int, write, target: Path) -> None:
        stored = self.files / key[-2:] / key
        if not stored.exists():
            stored.parent.mkdir(parents=True, exist_ok=True)
            staging = stored.with_name(f".{key}.{uuid.uuid4().hex}")
            write(staging)
            os.chmod(staging, mode)
            os.replace(staging, stored)  # another request may have stored it meanwhile: same bytes
        try:
            os.link(stored, target)
        except OSError:  # another file system, or the link limit: a copy does the same
            shutil.copy2(stored, target)

    # Bytecode ---------------------------------------------------------------------------------

    def add_bytecode(self, root: Path, python: str, python_minor: int):
        """Places the bytecode compiled before for `root`'s `.py` files. Returns the compile of the
        others (a callable), which the caller runs once the agent is up so that it never delays a
        start: the next version gets them. None when nothing is missing."""
        tag = f"cpython-3{python_minor}"
        wanted: dict[str, list[tuple[Path, Path]]] = {}
        for directory, directories, names in os.walk(root):
            directories[:] = [d for d in directories if d != "__pycache__"]
            for name in names:
                if not name.endswith(".py"):
                    continue
                source = Path(directory) / name
                target = source.parent / "__pycache__" / f"{name[:-3]}.{tag}.pyc"
                if target.exists():
                    continue  # the package brought its own
                wanted.setdefault(self._digest(source), []).append((source, target))
        store = self.bytecode / tag
        missing = []
        for key, places in wanted.items():
            compiled = store / f"{key}.pyc"
            if not compiled.exists():
                missing.append((key, places[0][0]))  # new, or it does not compile: Python compiles it at import
                continue
            for _, target in places:
                target.parent.mkdir(exist_ok=True)
                # Through the file store, so the next version links it instead of copying from disk.
                self._place(f"pyc-{tag}-{key}", 0o644, lambda stored, compiled=compiled: shutil.copyfile(compiled, stored), target)
        if not missing:
            return None

        def compile_missing() -> None:
            with self._lock:  # one compile at a time: two versions of one agent miss the same files
                still = [(key, source) for key, source in missing if not (store / f"{key}.pyc").exists()]
                if still:
                    self._compile(still, root, store, python)

        return compile_missing

    def _digest(self, source: Path) -> str:
        info = source.stat()
        if info.st_nlink > 1 and (known := self._digests.get(info.st_ino)):
            return known  # a link to a stored file, whose bytes never change
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        if info.st_nlink > 1:
            self._digests[info.st_ino] = digest
        return digest

    @staticmethod
    def _compile(missing: list[tuple[str, Path]], root: Path, store: Path, python: str) -> None:
        store.mkdir(parents=True, exist_ok=True)
        staging = store / f".staging-{uuid.uuid4().hex}"
        staging.mkdir()
        try:
            jobs = [[str(source), str(staging / f"{key}.pyc"), str(source.relative_to(root))] for key, source in missing]
            (staging / "jobs.json").write_text(json.dumps(jobs))
            try:
                subprocess.run([python, "-c", COMPILE_SCRIPT, str(staging / "jobs.json")], capture_output=True,
                               timeout=COMPILE_TIMEOUT_SECONDS, check=False)
            except (OSError, subprocess.TimeoutExpired):
                return  # only speed is lost: the files are compiled at import

            for key, _ in missing:
                compiled = staging / f"{key}.pyc"
                if compiled.exists():
                    os.replace(compiled, store / f"{key}.pyc")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
