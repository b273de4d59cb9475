"""A cached run after a few files changed: keep the findings a change cannot reach.

A run whose inputs all match a previous run prints that run's report (``lint.rerun``). When
a few files changed instead, everything else of the previous run is still known: the other
files' objects and every rule's findings in every file. So a cached run of one plain
deployment unit (no kustomization, chart or stdin) keeps a **state** beside its run record:

- the unit's load, cut into per-file parts (``kube.loadparts``), as snapshots: a whole one,
  then the parts of the files each later run changed;
- every cross-object rule's findings, as they came out of the rule (before suppressions),
  per file, each with its object's index in the file;
- once a replay's reference rules read them, the words of each namespace's pod specs and
  ConfigMaps (``routing.affected.namespace_words``), carried to the next replay for every
  namespace its change is not in.

The state is named like the run record but without the files' contents (``rerun``): the
same code, settings, rule catalog and list of inputs. The next run with that name and at
most ``MAX_CHANGED_FILES`` changed files (no file added, removed or renamed) loads only the
changed files, joins them into the kept load, builds the graph and runs every rule; a rule
that may be focused re-checks only the files its findings can change in, and the findings
it kept for the others are added back with their objects, so suppressions, SVC007, the
template filter and the sort see what a full run sees. Which files a rule must re-check:

- a ``Rule.per_object`` rule: the changed files (``lint.perobject`` keeps the others');
- a ``Rule.namespaced`` rule (its findings at a file depend only on the objects of the
  namespaces that file's objects are in, and on the file): the files holding an object of a
  namespace a changed file had or has an object in, and the changed files;
- a rule that reads across namespaces and says which files a change reaches
  (``Rule.affected_files``: SVC101, the cluster-wide pools SVC201, SVC202, SVC208 and
  SVC210, the routing and reference rules through ``routing.affected``): those files;
- any other rule (a plugin's, or one whose answer is None): every file.

Any rule also re-checks a file where one of its kept findings is about an object of a
changed file or points into one; a changed cluster-scoped object (a Namespace's labels) or
a change of what the load holds besides the files' objects (another unit, an unreadable
document) makes every rule that may depend on it check every file.

The unit must stay the unit it was: each changed file must define the same objects (kind,
namespace, name), none of them also defined in another file (``loading.units`` splits
alternatives by those), and name no GitOps path; otherwise the run is a full one. A full
run writes a new state.

The snapshots are pickled objects, so they are stored with a MAC keyed with the user's
secret (``ParseCache.put_signed``) and unpickled only after it verifies: a repository that
commits a ``.svclint_cache`` cannot make svclint load one (docs/security.md).

``svclint daemon`` reads a state's load back between checks (``warm_up``, into ``WARM``,
with the graph and its compiled routing model); a run forked from it that finds its state
there takes them instead of reading the snapshots (the end of this module).
"""

from __future__ import annotations

import os
import pickle
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TypeAlias

from svclint.findings import Finding, RuleCrash
from svclint.kube.graph import ManifestGraph
from svclint.kube.loadparts import LoadParts, join_parts, split_load
from svclint.kube.model import CLUSTER_SCOPED_KINDS, K8sObject
from svclint.kube.objects import LoadResult, load
from svclint.lint.rerun import STATE_PREFIX, RunRecord
from svclint.lint.rule import Rule
from svclint.lint.selection import ActiveRule
from svclint.loading import units as unit_rules
from svclint.loading.cache import ParseCache, open_cache
from svclint.loading.discovery import display_path
from svclint.loading.positions import PositionStore
from svclint.routing.affected import NamespaceWords, carry_namespace_words, known_namespace_words
from svclint.routing.model import follow, routing_model
from svclint.settings import PodSource, Settings

SNAPSHOT_PREFIX = "snap-"
KEEP_STATES = 2  # two setups (branches, configs) stay warm; snapshots no kept state names go
MAX_CHANGED_FILES = 64  # more changed files than this: a full run (and a new whole snapshot)
# Snapshots of changed files after the whole one, before a new whole one. At 10k objects a
# whole snapshot costs a run 0.4 s to write and a delta 0.1 ms to read: one whole per 64
# replays keeps both near 6 ms a run, and no more than one replay in 64 pays the write.
MAX_DELTAS = 64
ORPHAN_SECONDS = 600

Outcome: TypeAlias = "list[tuple[Finding, K8sObject | None]] | RuleCrash"
Place: TypeAlias = "tuple[str, int]"  # an object's file (display path) and its index among the file's objects
Kept: TypeAlias = "list[tuple[Finding, Place | None]]"  # one rule's findings in one file, with their objects' places
CheckAll = Callable[[list[ActiveRule], ManifestGraph, LoadResult, Settings], list[Outcome]]
FocusedCheckAll = Callable[[list[ActiveRule], ManifestGraph, LoadResult, Settings, "frozenset[str] | None"], list[Outcome]]


@dataclass
class State:
    """What a run keeps for the next: see the module's docstring."""

    unit: str
    files: dict[str, bytes]  # input path -> content key (``rerun``), in input order
    snapshots: list[str]  # blob names: the whole load's parts, then changed files' parts
    outcomes: dict[str, dict[str, Kept]]  # rule id -> display path -> its findings there
    # the words of each namespace's pod specs and ConfigMaps, once a replay's SVC5xx answers
    # read them (``routing.affected.namespace_words``): the next replay reads only its own
    words: NamespaceWords | None = None


@dataclass
class Keeper:
    """Between the engine and the rules of one run: takes each cross-object rule's findings
    per file for the next run and, when replaying, re-checks only where ``dirty`` says."""

    previous: dict[str, dict[str, Kept]] | None = None
    dirty: Callable[[type[Rule]], frozenset[str] | None] | None = None  # rule class -> files to re-check (None: all)
    taken: dict[str, dict[str, Kept]] = field(default_factory=dict)
    complete: bool = True  # every finding could be kept (an object of this load, or none)
    _places: tuple[LoadResult, dict[int, Place]] | None = field(default=None, repr=False)

    def around(self, check_all: FocusedCheckAll) -> CheckAll:
        """``check_all`` (the engine's), with kept findings where a rule need not look again."""

        def check(entries: list[ActiveRule], graph: ManifestGraph, load: LoadResult, settings: Settings) -> list[Outcome]:
            groups: dict[frozenset[str] | None, list[ActiveRule]] = {}
            for entry in entries:
                groups.setdefault(self._focus(entry), []).append(entry)
            found: dict[str, Outcome] = {}
            objects: dict[str, list[K8sObject]] | None = None
            # In a replay, a few files' findings are quick, and so are the rules that check
            # every file (mostly per-object ones, on the changed objects only): forking half
            # of the rules off costs more than it saves, unless no rule is focused at all.
            whole = list(groups) == [None]
            for focus, group in groups.items():
                on = settings if whole else replace(settings, jobs=1)
                for entry, outcome in zip(group, check_all(group, graph, load, on, focus)):
                    if focus is not None and not isinstance(outcome, RuleCrash):
                        objects = objects if objects is not None else _objects_by_file(load)
                        outcome = self._merged(entry.rule.id, outcome, focus, objects)
                    found[entry.rule.id] = outcome
            for entry in entries:
                if not entry.rule.per_object:
                    self._take(entry.rule.id, found[entry.rule.id], load)
            return [found[entry.rule.id] for entry in entries]

        return check

    def _focus(self, entry: ActiveRule) -> frozenset[str] | None:
        """The files ``entry``'s rule checks again; None: all (and so no kept findings)."""
        if entry.rule.per_object or self.previous is None or self.dirty is None or entry.rule.id not in self.previous:
            return None
        return self.dirty(entry.rule)

    def _merged(self, rule_id: str, outcome: list[tuple[Finding, K8sObject | None]], focus: frozenset[str], objects: dict[str, list[K8sObject]]) -> Outcome:
        """The findings in ``focus`` just made, and the kept ones of every other file."""
        assert self.previous is not None
        merged = [(finding, obj) for finding, obj in outcome if finding.location.path in focus]
        for path, kept in self.previous[rule_id].items():
            if path not in focus:
                merged.extend((finding, None if place is None else objects[place[0]][place[1]]) for finding, place in kept)
        return merged

    def _take(self, rule_id: str, outcome: Outcome, load: LoadResult) -> None:
        if isinstance(outcome, RuleCrash):
            self.complete = False
            return
        where = self._object_places(load)
        taken: dict[str, Kept] = {}
        for finding, obj in outcome:
            place = None
            if obj is not None:
                place = where.get(id(obj))
                if place is None:
                    self.complete = False  # an object of no file of the load: cannot be kept
                    return
            taken.setdefault(finding.location.path, []).append((finding, place))
        self.taken[rule_id] = taken

    def _object_places(self, load: LoadResult) -> dict[int, Place]:
        """id(object) -> its place, worked out once per load."""
        if self._places is None or self._places[0] is not load:
            places: dict[int, Place] = {}
            counts: dict[str, int] = {}
            for obj in load.objects:
                path = obj.source.path
                index = counts.get(path, 0)
                counts[path] = index + 1
                places[id(obj)] = (path, index)
            self._places = (load, places)
        return self._places[1]


def _objects_by_file(load: LoadResult) -> dict[str, list[K8sObject]]:
    by_file: dict[str, list[K8sObject]] = {}
    for obj in load.objects:
        by_file.setdefault(obj.source.path, []).append(obj)
    return by_file


# -- the state: read, applied, written ------------------------------------------------------


@dataclass
class Replay:
    """A run that replays: its unit's load (kept parts and the changed files') and graph, the
    keeper, and what to write for the next run."""

    unit: str
    load: LoadResult
    graph: ManifestGraph  # this run's, made from the kept load's
    keeper: Keeper
    state: State
    changed: dict[str, LoadResult]  # display path -> the changed file's new part


def prepare(record: RunRecord, settings: Settings, cwd: str, inputs: Sequence[str]) -> Replay | None:
    """The replay of this run from the state ``record`` names, or None (a full run)."""
    if not record.state_name or record.contents is None or settings.only_units or settings.units:
        return None
    state = _read_state(record.cache, record.state_name)
    if state is None or list(state.files) != list(inputs):
        return None
    changed_inputs = [path for path in inputs if state.files[path] != record.contents.get(path)]
    if len(changed_inputs) > MAX_CHANGED_FILES or any(os.path.isdir(path) for path in changed_inputs):
        return None
    warm = _warm_load(record.cache, state.snapshots, settings)
    global read_warm
    read_warm = warm is not None
    parts = warm.parts.copy() if warm is not None else _read_parts(record.cache, state.snapshots)
    if parts is None:
        return None
    fresh = split_load(load(changed_inputs, replace(settings, helm_charts=()), cwd=cwd, discovered=True)) if changed_inputs else LoadParts()
    shown = {display_path(path, cwd) for path in changed_inputs}
    if set(fresh.files) != shown or not shown <= set(parts.parts) or fresh.extra.problems:
        return None
    before = [obj for path in sorted(shown) for obj in parts.parts[path].objects]
    after = [obj for path in sorted(shown) for obj in fresh.parts[path].objects]
    if not _same_unit(parts, shown, before, after):
        return None
    earlier = warm.earlier if warm is not None else join_parts(parts)
    for path in sorted(shown):
        parts.parts[path] = fresh.parts[path]
    _link_positions(record.cache, parts, settings)
    joined = join_parts(parts)
    # The graph of the kept load, and this run's made from it (the language server's way):
    # the rules that read across namespaces say what a change reaches by comparing the two.
    graph_before = warm.graph if warm is not None else ManifestGraph(earlier.objects, settings.pod_sources)
    graph = ManifestGraph(joined.objects, settings.pod_sources, previous=graph_before)
    if warm is not None:  # its routing model was compiled ahead: this one's starts from it
        follow(graph, graph_before)
    change = Change(graph_before, graph, before, after, shown, earlier, joined, settings)
    if state.words is not None:
        carry_namespace_words(graph_before, state.words, [])  # (the kept load's own: worked out on it)
        if not change.cluster_wide:
            carry_namespace_words(graph, state.words, [*before, *after])
    keeper = Keeper(state.outcomes, partial(_dirty_files, change, state.outcomes))
    return Replay(state.unit, joined, graph, keeper, state, {path: fresh.parts[path] for path in sorted(shown)})


def _link_positions(cache: ParseCache, parts: LoadParts, settings: Settings) -> None:
    """Give every file this run's one store of kept positions (``loading.positions``), under
    the entry of the bytes the run key read: as the loader does, so the positions located in
    this run are kept for the next (a snapshot holds none)."""
    assert settings.cache_dir is not None
    store = PositionStore(settings.cache_dir, settings.limits)
    for part in parts.parts.values():
        for source in part.sources:
            entry = cache.entry_name_of_path(source.fs_path) if source.fs_path else None
            source.memo = store.memo(entry) if entry is not None else None


def _same_unit(parts: LoadParts, changed: set[str], before: list[K8sObject], after: list[K8sObject]) -> bool:
    """Whether the changed files leave the deployment unit as it was (``loading.units``):
    the same objects defined, by these files alone, no GitOps path named."""
    identity = [obj.ref for obj in before]
    if identity != [obj.ref for obj in after]:
        return False
    if unit_rules.gitops_paths((obj.kind, obj.data) for obj in after):
        return False
    wanted = {(ref.kind, ref.namespace, ref.name) for ref in identity}
    for path, part in parts.parts.items():
        if path not in changed and any((obj.kind, obj.namespace, obj.name) in wanted for obj in part.objects):
            return False  # (the same kind, namespace and name in another group counts too: a cheap superset)
    return True


@dataclass
class Change:
    """A replay's change: the graphs before and after, the changed files' objects, the loads."""

    before: ManifestGraph
    after: ManifestGraph
    gone: list[K8sObject]  # the changed files' objects as kept
    new: list[K8sObject]  # and as loaded now
    files: set[str]  # the changed files
    earlier: LoadResult
    load: LoadResult
    settings: Settings
    _namespaced: frozenset[str] | None = field(default=None, repr=False)

    @property
    def cluster_wide(self) -> bool:
        """A cluster-scoped object changed: any namespace may see it."""
        return any(obj.kind in CLUSTER_SCOPED_KINDS for obj in (*self.gone, *self.new))

    def namespaced_files(self) -> frozenset[str]:
        """The changed files and every file holding an object of a namespace they touch."""
        if self._namespaced is None:
            namespaces = {obj.namespace for obj in (*self.gone, *self.new)}
            found = set(self.files)
            found.update(obj.source.path for obj in self.load.objects if obj.namespace in namespaces)
            self._namespaced = frozenset(found)
        return self._namespaced

    def run_wide_inputs_differ(self) -> bool:
        """What rules read of the load rather than the graph: the other units of the run, and
        whether a document could not be read (SVC503's notes)."""
        earlier, load = self.earlier, self.load
        return (earlier.elsewhere, earlier.pods_elsewhere, bool(earlier.problems)) != (load.elsewhere, load.pods_elsewhere, bool(load.problems))


def _dirty_files(change: Change, outcomes: dict[str, dict[str, Kept]], rule: type[Rule]) -> frozenset[str] | None:
    """The files whose findings of ``rule`` the change can reach (None: every file)."""
    if change.cluster_wide:
        return None
    if rule.namespaced:
        reached = change.namespaced_files()
    elif change.run_wide_inputs_differ():
        return None
    else:
        answer = rule.affected_files(change.before, change.after, change.gone, change.new, change.settings)
        if answer is None:
            return None
        reached = answer | change.files
    # a kept finding about an object of a changed file, or pointing into one (a related
    # location), is made again
    pointing = {
        path for path, findings in outcomes.get(rule.id, {}).items()
        if any(
            (place is not None and place[0] in change.files) or any(related.path in change.files for related, _ in finding.related)
            for finding, place in findings
        )
    }
    return reached | pointing


def keep(
    record: RunRecord, settings: Settings, unit: str, load: LoadResult, graph: ManifestGraph, keeper: Keeper, replayed: Replay | None
) -> None:
    """Write the state of this run (one plain unit, no crash) for the next."""
    if not keeper.complete or record.contents is None or not record.state_name:
        return
    if any(obj.attribution is not None or obj.source.segments for obj in load.objects):
        return  # rendered objects: not a plain unit
    cache = record.cache
    if replayed is not None and len(replayed.state.snapshots) <= MAX_DELTAS:
        delta, _ = _put_blob(cache, replayed.changed)
        snapshots = [*replayed.state.snapshots, delta] if delta else []
    else:
        whole, size = _put_blob(cache, split_load(load))
        snapshots = [whole] if whole else []
    if not snapshots:
        return
    state = State(unit, dict(record.contents), snapshots, keeper.taken, known_namespace_words(graph))
    if not cache.put_signed(record.state_name, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)):
        return
    global last_kept
    last_kept = KeptState(os.path.abspath(cache.directory), record.state_name, settings)
    cache.keep_newest(STATE_PREFIX, KEEP_STATES)
    if len(snapshots) == 1:  # a new whole load: the time to drop what no state names (deltas are small)
        _prune_snapshots(cache, size)


def _put_blob(cache: ParseCache, value: object) -> tuple[str, int]:
    """A new snapshot of ``value``: its name and size on disk ("" if it could not be stored)."""
    name = SNAPSHOT_PREFIX + secrets.token_hex(16)
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return "", 0
    written = cache.put_signed(name, payload)
    return (name, written) if written else ("", 0)


def _read_state(cache: ParseCache, name: str) -> State | None:
    payload = cache.get_signed(name)
    if payload is None:
        return None
    for warm in WARM.values():
        if warm.state_payload == payload:  # the state a resident process read already
            return warm.state
    return _state_of(payload)


def _state_of(payload: bytes | None) -> State | None:
    state = _unpickled(payload)
    if not isinstance(state, State) or not isinstance(state.files, dict) or not state.snapshots:
        return None
    return state


def _read_parts(cache: ParseCache, snapshots: list[str]) -> LoadParts | None:
    """The kept load's parts: the whole snapshot with the later changed files' parts applied."""
    whole = _unpickled(cache.get_signed(snapshots[0]))
    if not isinstance(whole, LoadParts):
        return None
    return _applied(cache, whole, snapshots[1:])


def _applied(cache: ParseCache, parts: LoadParts, deltas: list[str]) -> LoadParts | None:
    """``parts`` with the changed files' parts of the snapshots ``deltas`` applied in order."""
    for name in deltas:
        delta = _unpickled(cache.get_signed(name))
        if not isinstance(delta, dict) or not set(delta) <= set(parts.parts):
            return None
        parts.parts.update(delta)
    return parts


def _unpickled(payload: bytes | None) -> object:
    """A verified payload's object (``get_signed`` checked the MAC); None if it does not load
    (another svclint version's classes)."""
    if payload is None:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - an old or damaged snapshot is a miss, never an error
        return None


def _prune_snapshots(cache: ParseCache, room: int) -> None:
    """Delete the snapshots no kept state names: once they are ``ORPHAN_SECONDS`` old (a
    concurrent run writes its snapshots before the state that names them), and sooner,
    oldest first, past ``room`` bytes of them (the size of the whole snapshot just written:
    full runs in a row, each adding a file, would otherwise keep a whole load each for ten
    minutes). A concurrent run whose snapshot goes only misses its next replay."""
    wanted: set[str] = set()
    for name in _listing(cache, STATE_PREFIX):
        state = _read_state(cache, name)
        if state is not None:
            wanted.update(state.snapshots)
    orphans: list[tuple[float, str, int]] = []
    for name in _listing(cache, SNAPSHOT_PREFIX):
        if name not in wanted:
            try:
                info = os.stat(name, dir_fd=cache.descriptor, follow_symlinks=False)
            except OSError:
                continue
            orphans.append((info.st_mtime, name, info.st_size))
    now, kept = time.time(), 0
    for mtime, name, size in sorted(orphans, reverse=True):  # the newest first
        if now - mtime <= ORPHAN_SECONDS and kept + size <= room:
            kept += size
            continue
        try:
            os.unlink(name, dir_fd=cache.descriptor)
        except OSError:
            continue


def _listing(cache: ParseCache, prefix: str) -> Iterable[str]:
    try:
        with os.scandir(cache.descriptor) as listing:
            return sorted(entry.name for entry in listing if entry.name.startswith(prefix) and entry.is_file(follow_symlinks=False))
    except OSError:
        return []


# -- a kept load read back before the run that needs it (``svclint daemon``) -----------------


@dataclass(frozen=True)
class KeptState:
    """Where a run kept its state: what a resident process needs to read it back."""

    directory: str  # the cache directory, absolute
    name: str  # the state's blob name
    settings: Settings  # the run's (the cache's limits, the graph's pod sources, the routing model's)


# The state the last ``keep`` of this process wrote, and whether the last replay found its
# load in ``WARM``. ``svclint daemon`` runs each check in a forked child, which passes both
# to the daemon: so that the next child finds its load read, and for ``daemon status``.
last_kept: KeptState | None = None
read_warm = False


@dataclass
class WarmLoad:
    """A state's kept load, read back and joined, and the graph of it: what ``prepare`` would
    otherwise read from the snapshots and build (``WARM``)."""

    parts: LoadParts
    earlier: LoadResult
    graph: ManifestGraph
    pod_sources: tuple[PodSource, ...]
    state: State  # and the state naming the snapshots, with the bytes it was read from
    state_payload: bytes


# (cache directory's device and inode, the state's snapshots) -> its load. Snapshots are
# never rewritten (each has a new random name), so a load is the load of those names for as
# long as they exist. Filled only by ``warm_up`` in ``svclint daemon``, whose forked children
# find it here; an ordinary run leaves it empty.
WARM: dict[tuple[tuple[int, int], tuple[str, ...]], WarmLoad] = {}
WARM_LOADS = 2  # two setups (branches, projects) stay read; each costs its load's memory


def warm_up(kept: KeptState) -> WarmLoad | None:
    """Read ``kept``'s load into ``WARM`` (the snapshots' parts, joined, and their graph, with
    its routing model compiled: the next run's model starts from it, ``routing.model.follow``).
    Builds on a warm load of the same cache whose snapshots begin the state's, reading only
    the later ones; drops any other of that cache. None if the state cannot be read."""
    settings = kept.settings
    cache = open_cache(kept.directory, settings.limits)
    if cache is None:
        return None
    try:
        payload = cache.get_signed(kept.name)
        state = _state_of(payload)
        if state is None or payload is None:
            return None
        where = _directory(cache)
        key = (where, tuple(state.snapshots))
        if key in WARM:
            WARM[key] = replace(WARM[key], state=state, state_payload=payload)
            return WARM[key]
        base = next(((names, known) for (place, names), known in WARM.items() if place == where and names == key[1][: len(names)]), None)
        if base is not None:  # the held load's snapshots begin this state's: read only the later ones
            parts = _applied(cache, base[1].parts.copy(), state.snapshots[len(base[0]) :])
        else:
            parts = _read_parts(cache, state.snapshots)
        if parts is None:
            return None
        earlier = join_parts(parts)
        graph = ManifestGraph(earlier.objects, settings.pod_sources)
        routing_model(graph, settings).compile_all()
        for other in [other for other in WARM if other[0] == where]:
            del WARM[other]
        while len(WARM) >= WARM_LOADS:
            del WARM[next(iter(WARM))]
        WARM[key] = WarmLoad(parts, earlier, graph, settings.pod_sources, state, payload)
        return WARM[key]
    finally:
        cache.close()


def _warm_load(cache: ParseCache, snapshots: list[str], settings: Settings) -> WarmLoad | None:
    if not WARM:
        return None
    warm = WARM.get((_directory(cache), tuple(snapshots)))
    return warm if warm is not None and warm.pod_sources == settings.pod_sources else None


def _directory(cache: ParseCache) -> tuple[int, int]:
    info = os.fstat(cache.descriptor)
    return (info.st_dev, info.st_ino)
