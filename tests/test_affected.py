"""affected_files: after an edit, the files whose findings of a rule may differ.

Every check here is the real path: a fixture tree copied to a temporary directory, checked
with the full engine, one file edited on disk (a label moved, a port changed, a policy's
selector, port or peer changed, an object added, removed or moved to another namespace),
checked again; the files where the rule's findings (id, location, message, related,
severity) differ must be among those ``affected_files`` names. The edits come from a seeded
generator, so the run is the same every time.
"""

from __future__ import annotations

import copy
import random
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from svclint.api import load_units
from svclint.findings import Finding
from svclint.kube.model import K8sObject
from svclint.lint.catalog import build_catalog
from svclint.lint.checks.affected import affected_files
from svclint.lint.engine import LintResult, run
from svclint.routing.calls import checked_references
from svclint.routing.model import built_model
from svclint.settings import Settings

FIXTURES = Path(__file__).parent.parent / "fixtures"
GENERATOR = Path(__file__).parent.parent / "benchmarks" / "gen_corpus.py"
RULES = (
    "SVC101", "SVC401", "SVC402", "SVC403", "SVC404", "SVC405", "SVC406", "SVC407", "SVC408", "SVC409",
    "SVC501", "SVC502", "SVC503",
)
SETTINGS = Settings(select=RULES)
CATALOG = build_catalog((), ())
TREES = ("affected/corpus", "affected/crossns", "server/mesh", "examples/shop", "calls/store")

Doc = dict[str, Any]


# -- running the engine ------------------------------------------------------------------------


def check(root: Path) -> dict[str, LintResult]:
    """Each deployment unit's full run, by unit name."""
    return {unit.name: run(load, CATALOG, SETTINGS) for unit, load in load_units([str(root)], SETTINGS, cwd=str(root))}


def by_file(findings: list[Finding], rule: str) -> dict[str, set[tuple[object, ...]]]:
    out: dict[str, set[tuple[object, ...]]] = defaultdict(set)
    for f in findings:
        if f.rule_id == rule:
            out[f.location.path].add((f.rule_id, f.location, f.message, f.related, f.severity))
    return out


def differing(before: list[Finding], after: list[Finding], rule: str) -> set[str]:
    old, new = by_file(before, rule), by_file(after, rule)
    return {path for path in set(old) | set(new) if old.get(path) != new.get(path)}


def in_file(result: LintResult, path: str) -> list[K8sObject]:
    return [o for o in result.graph.objects if o.source.path == path]


@dataclass
class Outcome:
    checked: int = 0
    unknown: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    changed: int = 0
    sizes: list[int] = field(default_factory=list)


def assert_sound(before: dict[str, LintResult], after: dict[str, LintResult], path: str, what: str, outcome: Outcome) -> None:
    """Every file whose findings of a rule differ is named by ``affected_files``."""
    for name in sorted(set(before) | set(after)):
        assert name in before and name in after, f"{what}: the units changed ({name})"
        old, new = before[name], after[name]
        gone, added = in_file(old, path), in_file(new, path)
        for rule in RULES:
            changed = differing(old.findings, new.findings, rule)
            outcome.checked += 1
            outcome.changed += bool(changed)
            for kept in (True, False) if rule.startswith("SVC5") else (True,):
                answer = answers(rule, old, new, gone, added, kept)
                if answer is None:
                    outcome.unknown[rule] += 1
                    continue
                outcome.sizes.append(len(answer))
                assert changed <= answer, f"{rule} after {what}: findings changed in {sorted(changed - answer)}, not named"


def answers(rule: str, old: LintResult, new: LintResult, gone: list[K8sObject], added: list[K8sObject], kept: bool) -> frozenset[str] | None:
    """``affected_files``; without the references the earlier run resolved when not ``kept``
    (the rules ran in a forked process, or the model is gone): the words of the text then."""
    model = built_model(old.graph, SETTINGS)
    references = getattr(model, "_checked_references", None)
    if references is None and kept:
        checked_references(model) if model is not None else None
    elif not kept and references is not None:
        del model._checked_references  # type: ignore[union-attr]
    try:
        return affected_files(rule, old.graph, new.graph, gone, added, SETTINGS)
    finally:
        if not kept and references is not None:
            model._checked_references = references  # type: ignore[union-attr]


# -- edits -------------------------------------------------------------------------------------


@dataclass
class Pools:
    """Values seen in the tree, so that edits move things onto each other."""

    labels: list[tuple[str, str]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    port_names: list[str] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    services: list[tuple[str, str, int]] = field(default_factory=list)  # (namespace, name, port)

    @classmethod
    def of(cls, docs: list[Doc]) -> Pools:
        pools = cls()
        for doc in docs:
            meta = doc.get("metadata") or {}
            if isinstance(meta.get("namespace"), str):
                pools.namespaces.append(meta["namespace"])
            template = pod_template(doc)
            if template is not None:
                pools.labels.extend((k, str(v)) for k, v in sorted(labels_of(template).items()))
                for container in containers(template):
                    for port in container.get("ports") or []:
                        if isinstance(port, dict):
                            if isinstance(port.get("containerPort"), int):
                                pools.ports.append(port["containerPort"])
                            if isinstance(port.get("name"), str):
                                pools.port_names.append(port["name"])
            if doc.get("kind") == "Service":
                for port in (doc.get("spec") or {}).get("ports") or []:
                    if isinstance(port, dict) and isinstance(port.get("port"), int):
                        pools.services.append((meta.get("namespace") or "default", str(meta.get("name")), port["port"]))
                        pools.ports.append(port["port"])
        pools.labels = sorted(set(pools.labels)) or [("app", "x")]
        pools.ports = sorted(set(pools.ports)) or [80]
        pools.port_names = sorted(set(pools.port_names)) or ["http"]
        pools.namespaces = sorted(set(pools.namespaces)) or ["default"]
        pools.services = sorted(set(pools.services)) or [("default", "x", 80)]
        return pools


def pod_template(doc: Doc) -> Doc | None:
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        return None
    if doc.get("kind") == "Pod":
        return doc
    template = spec.get("template")
    return template if isinstance(template, dict) and isinstance(template.get("spec"), dict) else None


def labels_of(template: Doc) -> dict[str, Any]:
    meta = template.setdefault("metadata", {})
    if not isinstance(meta.get("labels"), dict):
        meta["labels"] = {}
    labels: dict[str, Any] = meta["labels"]
    return labels


def containers(template: Doc) -> list[Doc]:
    found = (template.get("spec") or {}).get("containers") or []
    return [c for c in found if isinstance(c, dict)]


def policy_rules(doc: Doc) -> list[tuple[str, Doc]]:
    spec = doc.get("spec") or {}
    out = []
    for direction, key in (("ingress", "from"), ("egress", "to")):
        for rule in spec.get(direction) or []:
            if isinstance(rule, dict):
                out.append((key, rule))
    return out


Edit = Callable[[Doc, Pools, random.Random], str | None]


def move_label(doc: Doc, pools: Pools, rng: random.Random) -> str | None:
    template = pod_template(doc)
    if template is None:
        return None
    labels = labels_of(template)
    key, value = rng.choice(pools.labels)
    choice = rng.random()
    if labels and choice < 0.4:
        old = rng.choice(sorted(labels))
        labels[old] = value if rng.random() < 0.5 else f"{labels[old]}-x"
        return f"label {old}={labels[old]}"
    if labels and choice < 0.6:
        old = rng.choice(sorted(labels))
        del labels[old]
        return f"label {old} removed"
    labels[key] = value
    return f"label {key}={value} added"


def change_container_port(doc: Doc, pools: Pools, rng: random.Random) -> str | None:
    template = pod_template(doc)
    if template is None:
        return None
    ports = [p for c in containers(template) for p in c.get("ports") or [] if isinstance(p, dict)]
    if not ports:
        return None
    port = rng.choice(ports)
    choice = rng.random()
    if choice < 0.5:
        port["containerPort"] = rng.choice(pools.ports)
        return f"containerPort {port['containerPort']}"
    if choice < 0.8:
        port["name"] = rng.choice(pools.port_names)
        return f"port name {port['name']}"
    port["protocol"] = "UDP"
    return "port protocol UDP"


def change_service(doc: Doc, pools: Pools, rng: random.Random) -> str | None:
    if doc.get("kind") != "Service":
        return None
    spec = doc.setdefault("spec", {})
    choice = rng.random()
    ports = [p for p in spec.get("ports") or [] if isinstance(p, dict)]
    if ports and choice < 0.3:
        rng.choice(ports)["port"] = rng.choice(pools.ports)
        return "Service port"
    if ports and choice < 0.55:
        rng.choice(ports)["targetPort"] = rng.choice([*pools.ports, *pools.port_names])
        return "Service targetPort"
    if choice < 0.8:
        key, value = rng.choice(pools.labels)
        selector = spec.get("selector") if isinstance(spec.get("selector"), dict) else {}
        if selector and rng.random() < 0.5:
            selector[rng.choice(sorted(selector))] = value
        else:
            selector[key] = value
        spec["selector"] = selector
        return f"Service selector {key}={value}"
    if choice < 0.9:
        spec["clusterIP"] = "None" if spec.get("clusterIP") != "None" else ""
        return "Service headless toggled"
    spec["type"] = "NodePort" if spec.get("type") != "NodePort" else "ClusterIP"
    return f"Service type {spec['type']}"


def change_policy(doc: Doc, pools: Pools, rng: random.Random) -> str | None:
    if doc.get("kind") != "NetworkPolicy":
        return None
    spec = doc.setdefault("spec", {})
    rules = policy_rules(doc)
    choice = rng.random()
    key, value = rng.choice(pools.labels)
    if choice < 0.15 or not rules:
        spec["podSelector"] = {"matchLabels": {key: value}} if rng.random() < 0.8 else {}
        return f"policy podSelector {key}={value}"
    peers_key, rule = rng.choice(rules)
    peers = [p for p in rule.get(peers_key) or [] if isinstance(p, dict)]
    if choice < 0.35:
        ports = [p for p in rule.get("ports") or [] if isinstance(p, dict)]
        if ports:
            rng.choice(ports)["port"] = rng.choice([*pools.ports, *pools.port_names])
        else:
            rule["ports"] = [{"port": rng.choice(pools.ports)}]
        return "policy port"
    if choice < 0.55 and peers:
        peer = rng.choice(peers)
        peer.pop("ipBlock", None)
        peer["namespaceSelector"] = {"matchLabels": {"kubernetes.io/metadata.name": rng.choice(pools.namespaces)}}
        return "policy peer namespaceSelector"
    if choice < 0.75 and peers:
        peer = rng.choice(peers)
        peer.pop("ipBlock", None)
        peer["podSelector"] = {"matchLabels": {key: value}}
        return f"policy peer podSelector {key}={value}"
    if choice < 0.85:
        rule.pop(peers_key, None)
        return "policy rule from/to everyone"
    if choice < 0.92:
        types = spec.get("policyTypes") if isinstance(spec.get("policyTypes"), list) else ["Ingress"]
        if "Egress" not in types:
            spec["policyTypes"] = [*types, "Egress"]
            spec.setdefault("egress", [])
            return "policy egress isolation"
    spec.get("ingress" if peers_key == "from" else "egress", []).remove(rule)
    return "policy rule removed"


def change_reference(doc: Doc, pools: Pools, rng: random.Random) -> str | None:
    namespace, name, port = rng.choice(pools.services)
    host = rng.choice([name, f"{name}.{namespace}", f"{name}.{namespace}.svc.cluster.local", f"{name}x.{namespace}"])
    address = f"http://{host}:{rng.choice([port, *pools.ports])}"
    if doc.get("kind") == "ConfigMap":
        data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
        data[rng.choice([*sorted(data), "UPSTREAM_URL"])] = address
        doc["data"] = data
        return f"ConfigMap value {address}"
    template = pod_template(doc)
    if template is None or not containers(template):
        return None
    container = rng.choice(containers(template))
    env = container.get("env") if isinstance(container.get("env"), list) else []
    env.append({"name": "UPSTREAM_URL", "value": address})
    container["env"] = env
    return f"env {address}"


def move_namespace(doc: Doc, pools: Pools, rng: random.Random) -> str | None:
    if doc.get("kind") == "Namespace":
        return None
    meta = doc.setdefault("metadata", {})
    meta["namespace"] = rng.choice(pools.namespaces)
    return f"moved to namespace {meta['namespace']}"


EDITS: tuple[Edit, ...] = (move_label, change_container_port, change_service, change_policy, change_reference, move_namespace)


def edited(docs: list[Doc], pools: Pools, rng: random.Random) -> tuple[list[Doc], str] | None:
    """The file's documents after one edit of one of them (or the file's only edit: a
    document removed or copied under another name)."""
    docs = copy.deepcopy(docs)
    objects = [i for i, d in enumerate(docs) if isinstance(d, dict) and d.get("kind")]
    if not objects:
        return None
    index = rng.choice(objects)
    doc = docs[index]
    roll = rng.random()
    if roll < 0.06:
        del docs[index]
        return docs, f"{doc.get('kind')} removed"
    if roll < 0.12 and doc.get("kind") != "Namespace":
        twin = copy.deepcopy(doc)
        twin.setdefault("metadata", {})["name"] = f"{(doc.get('metadata') or {}).get('name')}-copy"
        docs.append(twin)
        return docs, f"{doc.get('kind')} copied"
    for edit in rng.sample(EDITS, len(EDITS)):
        what = edit(doc, pools, rng)
        if what is not None:
            return docs, f"{doc.get('kind')} {what}"
    return None


def edits(root: Path, count: int, seed: int) -> Iterator[tuple[Path, str, str]]:
    """``count`` edits of the tree at ``root``: (file, its new text, what changed)."""
    rng = random.Random(seed)
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    parsed = {p: [d for d in yaml.safe_load_all(p.read_text()) if d is not None] for p in files}
    pools = Pools.of([d for docs in parsed.values() for d in docs if isinstance(d, dict)])
    made = 0
    while made < count:
        path = rng.choice(files)
        found = edited(parsed[path], pools, rng)
        if found is None:
            continue
        docs, what = found
        made += 1
        yield path, yaml.safe_dump_all(docs, sort_keys=False), what


def run_edits(tree: str, tmp_path: Path, count: int, seed: int) -> Outcome:
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES / tree, root)
    before = check(root)
    outcome = Outcome()
    for path, text, what in edits(root, count, seed):
        original = path.read_text()
        path.write_text(text)
        try:
            after = check(root)
        finally:
            path.write_text(original)
        display = str(path.relative_to(root))
        assert_sound(before, after, display, f"{tree}/{display}: {what}", outcome)
    return outcome


# -- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("tree", TREES)
def test_random_edits_never_leave_a_stale_finding(tree: str, tmp_path: Path) -> None:
    count = 40
    outcome = run_edits(tree, tmp_path, count, seed=15)
    assert outcome.checked >= count * len(RULES)
    assert outcome.changed > 0  # the edits do change findings


@pytest.mark.slow
@pytest.mark.parametrize("tree", ["affected/crossns", "server/mesh"])
def test_more_random_edits_of_the_small_cross_namespace_trees(tree: str, tmp_path: Path) -> None:
    outcome = run_edits(tree, tmp_path, 150, seed=1501)
    assert outcome.changed > 20


# -- edits that reach across namespaces, one by one ------------------------------------------


def scenario(tmp_path: Path, file: str, old: str, new: str) -> tuple[dict[str, set[str]], dict[str, frozenset[str] | None]]:
    """Edit ``file`` of the cross-namespace fixture (``old`` -> ``new``): per rule, the files
    whose findings differ and ``affected_files``' answer."""
    root = tmp_path / "crossns"
    shutil.copytree(FIXTURES / "affected" / "crossns", root)
    [before] = check(root).values()
    path = root / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    [after] = check(root).values()
    gone, added = in_file(before, file), in_file(after, file)
    diff = {rule: differing(before.findings, after.findings, rule) for rule in RULES}
    for rule in RULES:  # the references' fallback too: the words of the text
        fallback = answers(rule, before, after, gone, added, False)
        assert fallback is None or diff[rule] <= fallback, (rule, diff[rule], fallback)
    found = {rule: answers(rule, before, after, gone, added, True) for rule in RULES}
    for rule in RULES:
        answer = found[rule]
        assert answer is None or diff[rule] <= answer, (rule, diff[rule], answer)
    return diff, found


@pytest.mark.parametrize(
    ("file", "old", "new", "rule", "reached"),
    [
        # back's allow-front admits pods app=web of team=web namespaces: its peer now selects nothing
        ("front/web.yaml", "labels: {app: web, tier: frontend}", "labels: {app: webx, tier: frontend}", "SVC402", "back/policies.yaml"),
        # front/lonely selects app=worker: its hint named back/worker, which no longer matches
        ("back/worker.yaml", "labels: {app: worker}", "labels: {app: worker2}", "SVC101", "front/lonely.yaml"),
        # tools/probe calls search.back:9300, now a port of the Service
        ("back/search.yaml", "- {port: 9200, targetPort: es}", "- {port: 9300, targetPort: es}", "SVC502", "tools/probe.yaml"),
        # front's web-egress allows port `es` to tier=core pods: none declares it any more
        ("back/search.yaml", "- {name: es, containerPort: 9200}", "- {name: search, containerPort: 9200}", "SVC407", "front/policies.yaml"),
        # front's web-egress allows 6379, the Service port, while the cache now listens on 6380
        ("data/cache.yaml", "- {name: redis, containerPort: 6379}", "- {name: redis, containerPort: 6380}", "SVC406", "front/policies.yaml"),
        # web was back/api's only client on 8080: without the egress rule, nobody reaches it
        ("front/policies.yaml", "- {port: 8080}\n        - {port: es}", "- {port: 8081}\n        - {port: es}", "SVC404", "back/api.yaml"),
        # the reader's call to search.back is admitted once back's policy allows the reader
        ("back/policies.yaml", "matchLabels: {app: web}", "matchLabels: {tier: frontend}", "SVC503", "front/reader.yaml"),
    ],
)
def test_an_edit_reaches_findings_in_another_namespace(tmp_path: Path, file: str, old: str, new: str, rule: str, reached: str) -> None:
    diff, found = scenario(tmp_path, file, old, new)
    assert reached in diff[rule]  # the edit does change a finding of another namespace
    answer = found[rule]
    assert answer is not None and reached in answer
    assert len(answer) <= 8  # the namespaces reached, not the whole tree


def test_an_edit_reaching_no_other_namespace_names_its_own_files(tmp_path: Path) -> None:
    # tools' dashboard Service is nobody's peer nor call target
    diff, found = scenario(tmp_path, "tools/probe.yaml", "selector: {app: dashbaord}", "selector: {app: dashboard}")
    assert diff["SVC101"] == {"tools/probe.yaml"}
    for rule in ("SVC101", "SVC401", "SVC402", "SVC403", "SVC405", "SVC406", "SVC407", "SVC408", "SVC409", "SVC501"):
        answer = found[rule]
        assert answer is not None and answer <= {"tools/probe.yaml", "tools/dash.yaml"}, (rule, answer)


# -- precision on a generated tree -------------------------------------------------------------

TYPICAL: tuple[Edit, ...] = (move_label, change_container_port, change_service, change_policy)


@pytest.mark.slow
def test_a_typical_edit_of_a_2000_object_tree_names_a_few_dozen_files(tmp_path: Path) -> None:
    """A pod label, a container port, a Service port, a policy's port or peer: each full check
    after the edit agrees with the answer, and the answer is a few dozen of ~1,900 files."""
    root = tmp_path / "tree"
    subprocess.run([sys.executable, str(GENERATOR), "--objects", "2000", "--out", str(root), "--seed", "1"], check=True, capture_output=True)
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file() and "platform" not in p.parts)
    [before] = check(root).values()
    rng = random.Random(2000)
    pools = Pools.of([d for p in rng.sample(files, 200) for d in yaml.safe_load_all(p.read_text()) if isinstance(d, dict)])
    outcome, sizes, fallback = Outcome(), list[int](), list[int]()
    while len(sizes) < 10:
        path = rng.choice(files)
        docs = [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]
        doc = rng.choice(docs) if docs else None
        edit = rng.choice(TYPICAL)
        if doc is None or edit(doc, pools, rng) is None:
            continue
        original = path.read_text()
        path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
        try:
            after = check(root)
        finally:
            path.write_text(original)
        display = str(path.relative_to(root))
        assert_sound({".": before}, after, display, display, outcome)
        for kept, found in ((True, sizes), (False, fallback)):
            given = [answers(r, before, after["."], in_file(before, display), in_file(after["."], display), kept) for r in RULES]
            known = [len(a) for a in given if a is not None]
            found.append(max(known, default=0))
            assert len(known) >= len(RULES) - 4  # SVC404 without a witness, SVC501-503 when a Service turns headless
    assert max(sizes) <= 60, sizes
    assert sorted(sizes)[len(sizes) // 2] <= 40, sizes
    assert max(fallback) <= 120, fallback  # whole namespaces whose text names N or the Service
