"""Whole-run reuse: a run whose every input is unchanged prints the previous run's report.

The parse cache (``loading.cache``) saves the parsing of an unchanged file, but a run still
builds every object, the graph and runs every rule. When nothing at all changed (the next
pre-commit run, a CI job on a restored cache, ``check`` twice in a row) the result is the
same as last time, so the previous ``LintReport`` is kept as plain data in the cache
directory under a *run key* and used as it is.

The run key is a keyed BLAKE2b hash (the cache's secret: a repository cannot plant a
record) of everything the report is a function of:

- svclint's own code and data (every file of the package), the Python version;
- every setting (``repr(Settings)``: the config file's effect, flags, limits, ...), the
  paths as given, the working directory (display paths), ``report_only`` and whether rule
  documentation is wanted;
- the rule catalog: each rule's id, name, origin and class, the content of every rule file
  (built-in ``rules/`` and ``--rules-dir``), each plugin's distribution version and module
  source; the files of ``schema_dirs`` (SVC004). The CLI's ``DeferredCatalog`` is keyed by
  what it is built from instead (``_catalog_digest``), so a reprint never builds it;
- the inputs as discovery found them, with what discovery skipped, and each input file's
  size and content hash.

The text a format printed for a recorded report is kept as well (``printed``).

A run that reads anything else is never recorded: standard input, a kustomization or chart
rendered by an external tool, and a run whose objects name GitOps paths (whether those
directories exist and hold an overlay decides the units). So a record can only be used
when the report it holds is the report this run would build.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svclint import distributions
from svclint.findings import (
    Finding,
    InputFile,
    LintReport,
    Location,
    ObjectRef,
    RuleCrash,
    RuleInfo,
    RuleOptionInfo,
    Severity,
)
from svclint.lint.catalog import ENTRY_POINT_GROUP, Catalog, DeferredCatalog
from svclint.loading.cache import ParseCache, content_digest, file_identity, forget_digests, open_cache, remember_digest
from svclint.loading.discovery import Skipped
from svclint.loading.source import Source
from svclint.settings import Settings

_FORMAT = b"svclint-run-1"
RECORD_PREFIX = "run-"  # records are named apart from parse entries (pruned on their own)
STATE_PREFIX = "state-"  # lint.replay's records: the same key without the files' contents
KEEP_RECORDS = 4  # a few states (two branches, two configs) stay warm
PRINTED_PREFIX = "out-"  # a recorded report as a format printed it (``printed``)
KEEP_PRINTED = 4
_RECORD = "_svclint_record"  # set on a report that is a record's, exactly (``printed``)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_package_digest: bytes | None = None


@dataclass
class RunRecord:
    """The cache and the key of one run; ``report()`` is the recorded report, if any."""

    cache: ParseCache
    name: str
    # The same key without the files' contents (``lint.replay``: a run after a few files
    # changed), and each input file's content key (display of what changed).
    state_name: str = ""
    contents: dict[str, bytes] | None = None

    catalog: Catalog | None = None  # a DeferredCatalog is built when there is no report to reprint

    def report(self) -> LintReport | None:
        report = report_from_plain(self.cache.get(self.name))
        if report is None:
            settle(self.catalog)
        else:
            object.__setattr__(report, _RECORD, self.name)
        return report

    def store(self, report: LintReport, files: dict[str, str]) -> None:
        """Record ``report`` (``files``: display path -> the file it names, whose text is
        read again rather than stored); the oldest records beyond ``KEEP_RECORDS`` go."""
        self.cache.put(self.name, report_to_plain(report, files))
        self.cache.keep_newest(RECORD_PREFIX, KEEP_RECORDS)
        object.__setattr__(report, _RECORD, self.name)

    def close(self) -> None:
        self.cache.close()


def open_record(
    paths: Sequence[str],
    settings: Settings,
    catalog: Catalog,
    inputs: Sequence[str],
    skipped: Skipped,
    *,
    cwd: str,
    report_only: Sequence[str] | None,
    documentation: bool,
) -> RunRecord | None:
    """The record of this run (to read, or to write after the run), or None when the run
    cannot be recorded: no cache, stdin, a rendered input, a file that cannot be read.

    A deferred catalog (``DeferredCatalog``) is built when the run cannot be a reprint:
    here for a run without a record, by ``RunRecord.report`` when the record is missing,
    so a broken rule set is reported before the files are loaded, as without a cache."""
    record = _open_record(paths, settings, catalog, inputs, skipped, cwd=cwd, report_only=report_only, documentation=documentation)
    if record is None:
        settle(catalog)
    else:
        record.catalog = catalog
    return record


def _open_record(
    paths: Sequence[str],
    settings: Settings,
    catalog: Catalog,
    inputs: Sequence[str],
    skipped: Skipped,
    *,
    cwd: str,
    report_only: Sequence[str] | None,
    documentation: bool,
) -> RunRecord | None:
    """The record of this run (to read, or to write after the run), or None when the run
    cannot be recorded: no cache, stdin, a rendered input, a file that cannot be read."""
    forget_digests()  # (a process may check several times: only this run's reads are reused)
    if not settings.cache or not settings.cache_dir or not inputs or settings.helm_charts:
        return None
    if "-" in inputs:
        return None  # (a directory, a kustomization or chart, is not a regular file: below)
    cache = open_cache(settings.cache_dir, settings.limits)
    if cache is None:
        return None
    digest = hashlib.blake2b(_FORMAT, digest_size=20, key=cache.key)
    for part in (
        _code_digest(),
        repr(sys.version_info).encode(),
        repr(settings).encode(),
        repr((list(paths), cwd, None if report_only is None else list(report_only), documentation)).encode(),
        _catalog_digest(catalog, settings),
        repr((skipped.outside_links, skipped.unlistable, skipped.test_data)).encode(),
    ):
        _add(digest, part)
    state = digest.copy()
    limit = settings.limits.max_document_bytes
    contents: dict[str, bytes] = {}
    for path in inputs:
        content = _content_key(path, limit)
        if content is None:
            cache.close()
            return None
        _add(digest, path.encode("utf-8", "surrogateescape"))
        _add(digest, content)
        _add(state, path.encode("utf-8", "surrogateescape"))
        contents[path] = content
    return RunRecord(cache, RECORD_PREFIX + digest.hexdigest(), STATE_PREFIX + state.hexdigest(), contents)


def printed(report: LintReport, settings: Settings, output: str) -> str | None:
    """What a format printed for this very report, if it is a record's (``RunRecord``) and
    was printed so before; ``output`` names the format and its options.

    The text is a function of the report and ``output`` (the formatters are pure, and their
    code is in the run key), and the report one of its run key: so it is kept under a keyed
    hash of both. A report changed since (``--baseline`` makes a new one) is not a record's.
    Writing the JSON of 10,000 findings again was a tenth of a run where nothing changed;
    SARIF's line hashes of every file with findings, most of it.
    """
    name, cache = _printed_name(report, settings, output)
    if cache is None:
        return None
    text = cache.get(name)
    cache.close()
    return text if isinstance(text, str) else None


def keep_printed(report: LintReport, settings: Settings, output: str, text: str) -> None:
    """Keep ``text``, what ``output`` printed for a record's report, for ``printed``."""
    name, cache = _printed_name(report, settings, output)
    if cache is not None:
        cache.put(name, text)
        cache.keep_newest(PRINTED_PREFIX, KEEP_PRINTED)
        cache.close()


def _printed_name(report: LintReport, settings: Settings, output: str) -> tuple[str, ParseCache | None]:
    record = report.__dict__.get(_RECORD)
    if not isinstance(record, str) or not settings.cache or not settings.cache_dir:
        return "", None
    cache = open_cache(settings.cache_dir, settings.limits)
    if cache is None:
        return "", None
    digest = hashlib.blake2b(_FORMAT, digest_size=20, key=cache.key)
    _add(digest, record.encode())
    _add(digest, output.encode("utf-8", "surrogateescape"))
    return PRINTED_PREFIX + digest.hexdigest(), cache


def rules_salt(settings: Settings, catalog: Catalog) -> bytes:
    """What every finding of a run depends on besides its inputs: svclint's code, the
    Python version, the settings and the rule catalog (``lint.perobject`` keys with it)."""
    digest = hashlib.blake2b(_FORMAT, digest_size=20)
    for part in (_code_digest(), repr(sys.version_info).encode(), repr(settings).encode(), _catalog_digest(catalog, settings)):
        _add(digest, part)
    return digest.digest()


def _add(digest: Any, part: bytes) -> None:
    """Length-prefixed, so two parts can never run into each other."""
    digest.update(len(part).to_bytes(8, "little"))
    digest.update(part)


def _content_key(path: str, limit: int) -> bytes | None:
    """A regular file's size and content hash; None for anything else (not recorded)."""
    if _carried:
        known = _carried_key(path)
        if known is not None:
            return known
    try:
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > limit:  # reported by its size alone
            return b"over-limit %d" % info.st_size
        chunks = []
        total = 0
        while chunk := os.read(descriptor, max(info.st_size + 1 - total, 1 << 16)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                return None  # grew past the limit while read: not recorded
    except OSError:
        return None
    finally:
        os.close(descriptor)
    content = content_digest(b"".join(chunks))
    if total == info.st_size:  # (parsing takes its entry by this digest while the file is unchanged)
        remember_digest(path, info, content)
    return b"%d " % total + content


# -- content keys carried from an earlier run (``svclint daemon``) --------------------------

# Input path -> (the file's identity: device, inode, size, modification and change times;
# its content key). Set in a run forked by the daemon, from the last run's state: a file
# whose identity is the same still holds the bytes that key was made from.
_carried: dict[str, tuple[tuple[int, ...], bytes]] = {}
RACY_NS = 2_000_000_000


def keys_to_carry(keys: dict[str, bytes], cwd: str, read_from_ns: int) -> dict[str, tuple[tuple[int, ...], bytes]]:
    """The content keys a run read (``keys``: input path -> key; the run started reading at
    ``read_from_ns``, in ``cwd``) with each file's identity now, for a later run's
    ``carry_keys``. Only files whose change time is ``RACY_NS`` older than that start: a file
    written after it was read has a later change time (which nothing can set back), unless
    written within the clock's coarse tick of the read (git's "racily clean" files)."""
    carried: dict[str, tuple[tuple[int, ...], bytes]] = {}
    for path, key in keys.items():
        try:
            info = os.stat(os.path.join(cwd, path))
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_ctime_ns < read_from_ns - RACY_NS and info.st_mtime_ns < read_from_ns - RACY_NS:
            carried[path] = (file_identity(info), key)
    return carried


def carry_keys(carried: dict[str, tuple[tuple[int, ...], bytes]]) -> None:
    """Use ``carried`` (``keys_to_carry``) for the files whose identity is unchanged."""
    _carried.clear()
    _carried.update(carried)


def _carried_key(path: str) -> bytes | None:
    known = _carried.get(path)
    if known is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or file_identity(info) != known[0]:
        return None
    key = known[1]
    size, _, digest = key.partition(b" ")
    if size.isdigit() and int(size) == info.st_size:  # (parsing takes its entry by this digest)
        remember_digest(path, info, digest)
    return key


def _code_digest() -> bytes:
    """Every file of the svclint package (code and data): any change is a new key."""
    global _package_digest
    if _package_digest is None:
        digest = hashlib.blake2b(digest_size=20)
        digest.update((distributions.version("svclint") or "unknown").encode())
        for root, dirs, files in os.walk(_PACKAGE):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                full = os.path.join(root, name)
                _add(digest, os.path.relpath(full, _PACKAGE).encode("utf-8", "surrogateescape"))
                _add(digest, _file_bytes(full))
        _package_digest = digest.digest()
    return _package_digest


def _file_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b"\0unreadable"


def _catalog_digest(catalog: Catalog, settings: Settings) -> bytes:
    """The rules that may run and what defines them: rule files, plugins, schemas.

    A ``DeferredCatalog`` (the CLI's) is keyed by what it will be built from, without
    building it: svclint's code (the built-in rules, in ``_code_digest``), the rule files
    and the plugins' entry points; with plugins installed it is built, to key their source.
    The two forms are tagged apart, so they never name the same record.
    """
    from svclint.lint.rulefiles import builtin_rules_dir, rule_files

    digest = hashlib.blake2b(digest_size=20)
    deferred = False
    if isinstance(catalog, DeferredCatalog):
        deferred = True
        _add(digest, repr(("deferred", catalog.plugins, catalog.rule_dirs)).encode())
        plugins = catalog.plugins and distributions.has_entry_points(ENTRY_POINT_GROUP)
        if plugins:
            catalog.settle()
        rules = [rule for rule in catalog.rules if rule.origin.startswith("plugin:")] if plugins else []
        rule_dirs: Sequence[str] = catalog.rule_dirs
        _add(digest, _schema_setup(settings))
    else:
        rules, rule_dirs = catalog.rules, settings.rule_dirs
    for rule in rules:
        _add(digest, repr((rule.id, rule.name, rule.origin, rule.__module__, rule.__qualname__, int(rule.severity))).encode())
        if rule.origin.startswith("plugin:"):
            _add(digest, (distributions.version(rule.origin[len("plugin:") :]) or "\0no distribution").encode())
            try:
                source = inspect.getsourcefile(rule)
            except TypeError:
                source = None
            _add(digest, _file_bytes(source) if source else b"no source")
    builtin = builtin_rules_dir()
    folders = ([str(builtin)] if builtin is not None else []) + list(rule_dirs)
    for folder in folders:
        if os.path.isdir(folder):
            for path in rule_files(Path(folder)):
                _add(digest, str(path).encode("utf-8", "surrogateescape"))
                _add(digest, _file_bytes(str(path)))
        elif deferred:
            _add(digest, b"no folder")
    for folder in settings.schema_dirs:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(root, name)
                _add(digest, full.encode("utf-8", "surrogateescape"))
                _add(digest, _file_bytes(full))
    return digest.digest()


def _schema_setup(settings: Settings) -> bytes:
    """What SVC004's set-up check (``lint.preflight``, not run again when a record is used)
    and its schemas depend on besides the settings: which ``schema_dirs`` are directories
    and the installed Kubernetes schemas' version."""
    bundled = distributions.version("kubernetes-validate")
    return repr(([os.path.isdir(folder) for folder in settings.schema_dirs], bundled)).encode()


def settle(catalog: Catalog | None) -> None:
    """Build a deferred catalog now: the run is not a reprint, and the rules will run."""
    if isinstance(catalog, DeferredCatalog):
        catalog.settle()


# -- the report as marshal data (tuples, lists, strings, numbers) -------------------------


def _location(location: Location) -> tuple[str, int, int]:
    return (location.path, location.line, location.column)


def report_to_plain(report: LintReport, files: dict[str, str] | None = None) -> tuple[Any, ...]:
    """``report`` as marshal data. The text of an input file in ``files`` (display path ->
    file) is not stored but read again from the file, as the run itself read it."""
    files = files or {}
    findings = [
        (
            f.rule_id, f.rule_name, int(f.severity), f.message, _location(f.location), f.field_path,
            None if f.object is None else (f.object.kind, f.object.namespace, f.object.name, f.object.group),
            [(_location(at), message) for at, message in f.related],
            list(f.units),
        )
        for f in report.findings
    ]
    rules = [
        (
            r.id, r.name, r.summary, int(r.severity), int(r.default_severity), r.enabled_by_default, r.origin,
            list(r.tags), r.precision, [(o.name, o.type, o.default, o.help) for o in r.options],
            r.documentation, r.description, r.help_uri,
        )
        for r in report.rules
    ]
    return (
        _FORMAT,
        findings,
        [(c.rule_id, c.rule_name, c.error, c.traceback) for c in report.crashes],
        rules,
        [
            (i.path, i.stdin, None, files[i.path]) if i.text is not None and i.path in files else (i.path, i.stdin, i.text, None)
            for i in report.inputs
        ],
        report.files,
        report.objects,
        report.skipped_documents,
        report.suppressed,
        list(report.notes),
    )


def report_from_plain(plain: Any) -> LintReport | None:
    """The report ``report_to_plain`` wrote, or None for anything else (a damaged record)."""
    if not isinstance(plain, tuple) or len(plain) != 10 or plain[0] != _FORMAT:
        return None
    try:
        _, findings, crashes, rules, inputs, files, objects, skipped, suppressed, notes = plain
        return LintReport(
            findings=tuple(
                Finding(
                    rule_id, rule_name, Severity(severity), message, Location(*at), field_path,
                    None if obj is None else ObjectRef(*obj),
                    tuple((Location(*where), text) for where, text in related),
                    tuple(units),
                )
                for rule_id, rule_name, severity, message, at, field_path, obj, related, units in findings
            ),
            crashes=tuple(RuleCrash(*crash) for crash in crashes),
            rules=tuple(
                RuleInfo(
                    id=r[0], name=r[1], summary=r[2], severity=Severity(r[3]), default_severity=Severity(r[4]),
                    enabled_by_default=r[5], origin=r[6], tags=tuple(r[7]), precision=r[8],
                    options=tuple(RuleOptionInfo(*option) for option in r[9]),
                    documentation=r[10], description=r[11], help_uri=r[12],
                )
                for r in rules
            ),
            inputs=tuple(InputFile(path, stdin, text) if fs_path is None else RereadInput(path, stdin, fs_path) for path, stdin, text, fs_path in inputs),
            files=files,
            objects=objects,
            skipped_documents=skipped,
            suppressed=suppressed,
            notes=tuple(notes),
        )
    except (TypeError, ValueError):
        return None


class RereadInput(InputFile):
    """A recorded input whose text is read again from ``fs_path`` when a formatter asks for
    it (SARIF's fingerprints, the baseline, the HTML page), exactly as the run that made the
    record read it (``report_data._inputs``: a lossy text is no text). JSON, text, GitHub
    and JUnit never ask: reading the 2,018 files with findings of the 10k benchmark tree
    was half of reading a record."""

    _fs_path: str

    def __init__(self, path: str, stdin: bool, fs_path: str) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "stdin", stdin)
        object.__setattr__(self, "_fs_path", fs_path)

    @property
    def text(self) -> str | None:
        if "_read" not in self.__dict__:
            source = Source(os.path.basename(self._fs_path), self._fs_path)
            read = source.text or None
            object.__setattr__(self, "_read", None if source.lossy else read)
        text: str | None = self.__dict__["_read"]
        return text

    def __eq__(self, other: object) -> bool:  # an input file like any other
        if isinstance(other, InputFile):
            return (self.path, self.stdin, self.text) == (other.path, other.stdin, other.text)
        return NotImplemented

    __hash__ = InputFile.__hash__
