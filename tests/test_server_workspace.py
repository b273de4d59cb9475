"""The language server's workspace: the same findings as `svclint check`, whole or focused.

The focus property: for every fixture directory and every file in it, the findings of a
run focused on that file are exactly the full run's findings located in that file (rules
skip the subjects of other files, the engine locates only the focused file's findings).
"""

from __future__ import annotations

import gc
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from svclint.api import lint_paths
from svclint.findings import Finding
from svclint.kube.graph import ManifestGraph
from svclint.kube.model import PodTemplate
from svclint.lint.catalog import build_catalog
from svclint.lint.config import load_settings
from svclint.routing.model import RoutingModel, routing_model
from svclint.server.workspace import Workspace

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ROOTS = sorted(p for p in FIXTURES.iterdir() if p.is_dir()) + [FIXTURES / "podsources" / "config"]


def _exact(findings: list[Finding]) -> list[str]:
    """Everything a finding says, its fix included (``Finding`` equality leaves that out)."""
    return [f"{finding!r} {finding.fix!r}" for finding in findings]


def _workspace(root: Path) -> Workspace:
    settings, _ = load_settings(None, False, str(root))
    settings = replace(settings, cache=False)
    return Workspace(str(root), settings, build_catalog(settings.plugins, settings.rule_dirs))


@pytest.mark.parametrize("root", ROOTS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_workspace_and_every_focused_file_match_check(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)
    workspace = _workspace(root)
    expected = lint_paths(list(workspace.settings.project_paths) or ["."], workspace.settings, catalog=workspace.catalog, cwd=str(root))
    workspace.reload()
    full = workspace.check()
    everything = sorted((f for found in full.values() for f in found), key=Finding.sort_key)
    assert _exact(everything) == _exact(expected.findings)
    paths = sorted({path for state in workspace.units for path in state.paths})
    assert paths, "a fixture directory with files"
    for path in paths:
        assert _exact(workspace.check({path})[path]) == _exact(full.get(path, [])), path


def test_an_edit_reparses_one_file_and_matches_check_of_the_edited_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "server" / "app", root)
    monkeypatch.chdir(root)
    workspace = _workspace(root)
    workspace.reload()
    deployment = root / "deployment.yaml"
    before = {id(part.load) for part in workspace.parts.values()}
    text = deployment.read_text().replace("app: web", "app: webx")
    assert workspace.set_text(str(deployment), text)
    assert not workspace.set_text(str(deployment), text)  # the same text: nothing to do
    after = {id(part.load) for part in workspace.parts.values()}
    assert len(before - after) == 1  # only the edited file was loaded again
    focused = workspace.check({"service.yaml"})["service.yaml"]
    deployment.write_text(text)  # the same edit on disk, checked as `svclint check` would
    expected = lint_paths(["."], workspace.settings, catalog=workspace.catalog, cwd=str(root)).findings
    assert _exact(focused) == _exact([f for f in expected if f.location.path == "service.yaml"])
    assert [(f.rule_id, f.location.line) for f in focused] == [("SVC101", 7)]


def test_fixes_are_located_where_the_text_is(monkeypatch: pytest.MonkeyPatch) -> None:
    root = FIXTURES / "server" / "app"
    monkeypatch.chdir(root)
    workspace = _workspace(root)
    workspace.reload()
    fixes = [(f.rule_id, f.fix) for f in workspace.check({"typos.yaml"})["typos.yaml"] if f.fix is not None]
    lines = (root / "typos.yaml").read_text().split("\n")
    seen = []
    for rule_id, fix in fixes:
        assert fix is not None
        line = lines[fix.location.line - 1]
        seen.append((rule_id, fix.location.line, line[fix.location.column - 1 :].split(":")[0].strip(), fix.new))
    assert seen == [("SVC101", 8, "wbe", "web"), ("SVC104", 23, "htp", "http"), ("SVC008", 35, "targetport", "targetPort")]


def test_reports_do_not_show_the_fix(tmp_path: Path) -> None:
    """The fix is for the editor only: the JSON report of a finding with one has no such key."""
    from click.testing import CliRunner

    from svclint.cli import cli

    result = CliRunner().invoke(cli, ["check", "--isolated", "--no-cache", "-f", "json", os.fspath(FIXTURES / "server" / "app")])
    assert result.exit_code == 1
    assert '"fix"' not in result.output and "targetPort" in result.output


PORT = re.compile(r"(\b(?:port|containerPort|targetPort): )(\d+)")
LABEL = re.compile(r"(\b(?:app|app\.kubernetes\.io/name|role|tier|name): )([a-z][a-z0-9-]*)")


def _data_edit(text: str, n: int) -> str | None:
    """``text`` with its n-th port number or label value changed (ports and labels alternately)."""
    pattern = PORT if n % 2 == 0 else LABEL
    matches = list(pattern.finditer(text)) or list((LABEL if pattern is PORT else PORT).finditer(text))
    if not matches:
        return None
    match = matches[n % len(matches)]
    value = match.group(2)
    new = str(int(value) + 1) if value.isdigit() else value + "-x"
    return text[: match.start(2)] + new + text[match.end(2) :]


@pytest.mark.parametrize("name", ["routing", "calls", "scenarios", "server", "podsources"])
def test_focused_checks_after_a_sequence_of_edits_match_check(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortcuts of a focused check (rules skipping subjects, the routing model's columns,
    exposures and policies worked out on demand, the graph taking the unchanged objects' pod
    templates from the last graph) give what `svclint check` of the edited tree says, edit after edit."""
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    monkeypatch.chdir(root)
    workspace = _workspace(root)
    workspace.reload()
    workspace.check()
    files = sorted(p for p in root.rglob("*.yaml") if workspace.knows(str(p)))[:12]
    previous: str | None = None
    for n, path in enumerate(files):
        text = _data_edit(path.read_text(), n)
        if text is None:
            continue
        assert workspace.set_text(str(path), text)
        path.write_text(text)
        edited = workspace.path_of(str(path))
        expected = lint_paths(list(workspace.settings.project_paths) or ["."], workspace.settings, catalog=workspace.catalog, cwd=str(root)).findings
        for focus in filter(None, (edited, previous)):
            got = workspace.check({focus})[focus]
            assert _exact(got) == _exact([f for f in expected if f.location.path == focus]), (n, focus)
        previous = edited


# (file, old text, new text): edits that move pods between Services and policies, change
# policies, Namespace labels and an object's namespace, delete and add objects, break a file
# and mend it. Each is applied to the buffer and to the disk, in this order.
MESH_EDITS = [
    ("web.yaml", "        tier: front", "        tier: back"),  # web leaves the policies peering tier=front
    ("api.yaml", "        app: api\n        tier: back", "        app: api2\n        tier: back"),  # out of Service api, policies
    ("web.yaml", "            - name: http\n              containerPort: 8080", "            - name: http\n              containerPort: 8081"),
    ("policies.yaml", "      app: db\n  ingress", "      app: web\n  ingress"),  # a policy now guards web
    ("policies.yaml", "        - port: 8080", "        - port: 80"),  # the Service port, not the pod's
    ("api.yaml", "        app: api2\n        tier: back", "        app: api\n        tier: back"),
    ("namespaces.yaml", "    team: ops", "    team: monitoring"),  # the namespaceSelector peer matches nothing
    ("monitor.yaml", "  namespace: ops", "  namespace: shop"),  # an object changes namespace
    ("db.yaml", "---\napiVersion: v1\nkind: Service", "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone, namespace: shop}\n---\napiVersion: v1\nkind: Service"),
    ("db.yaml", "\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: db\n", "\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"),  # the Service deleted
    ("web.yaml", "        app: web\n        tier: back", "        app: web\n        tier: front\n      annotations: {a: [unclosed"),  # unparseable
    ("web.yaml", "\n      annotations: {a: [unclosed", ""),  # mended
    ("api.yaml", "kind: Service\n", "kind: Service\n"),  # no change: nothing to do
    ("monitor.yaml", "", "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web2, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec: {containers: [{name: w, image: nginx:1.27, ports: [{name: http, containerPort: 8081}]}]}\n"),  # a second workload in web's class
    ("namespaces.yaml", "    team: monitoring", "    team: ops"),
    ("db.yaml", "kind: Secret\nmetadata:\n  name: db\n", "kind: Service\nmetadata:\n  name: db\n"),  # the Service is back
    ("policies.yaml", "      app: web\n  ingress", "      app: db\n  ingress"),
]


def _indexes(graph: ManifestGraph) -> object:
    """What a graph's indexes hold, objects by identity and templates by owner and labels
    (a graph updated from the last one must hold what one built whole does)."""

    def template(t: PodTemplate) -> tuple[object, ...]:
        return (id(t.owner), t.namespace, sorted(t.labels.items()), t.path)

    labels = graph.labels
    return (
        [id(o) for o in graph.objects],
        {kind: [id(o) for o in objects] for kind, objects in graph.by_kind.items() if objects},
        {key: [id(o) for o in objects] for key, objects in graph.by_key.items() if objects},
        [template(t) for t in graph.pod_templates],
        {key: template(t) for key, t in graph.templates_of.items()},
        {ns: [template(t) for t in found] for ns, found in labels.by_namespace.items() if found},
        {ns: {term: [template(t) for t in found] for term, found in terms.items() if found} for ns, terms in labels.by_term.items() if terms},
        {term: found for term, found in labels.namespaces_of_term.items() if found},
        {ns: [id(o) for o in graph.unmodelled(ns)] for ns in sorted(graph.namespaces)},
    )


def _verdicts(model: RoutingModel) -> object:
    """What a routing model decides: its classes, what each policy selects and each compiled
    rule's peers, and every cell of the matrix (a model built from the last one's must agree
    with one built afresh)."""
    engine = model.engine
    return (
        [(c.namespace, c.labels, c.named_ports, c.synthetic) for c in model.classes.classes],
        [(p.key, engine.policy_selects(p), [engine.compiled[id(r)].peer_bits for r in (*p.ingress, *p.egress) if id(r) in engine.compiled]) for p in engine.policies],
        (engine.isolated_in, engine.isolated_out),
        [[r.policy.key for r in rules] for rules in (*engine.ingress_rules, *engine.egress_rules_of)],
        [[model.verdict(source, column) for column in model.columns] for source in model.sources],
    )


def _checked_mesh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Workspace]:
    """A copy of fixtures/server/mesh as the working directory, loaded and checked once."""
    root = tmp_path / "mesh"
    shutil.copytree(FIXTURES / "server" / "mesh", root)
    monkeypatch.chdir(root)
    workspace = _workspace(root)
    workspace.reload()
    workspace.check()
    return root, workspace


def test_focused_checks_after_incremental_edits_match_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The language server keeps what an edit leaves unchanged (the pod templates of the other
    files, the pod classes' selector answers in the namespaces the edit did not touch): after
    each edit of MESH_EDITS, every file's focused findings are `svclint check`'s of that file."""
    root, workspace = _checked_mesh(tmp_path, monkeypatch)
    files = sorted(p.name for p in root.glob("*.yaml"))
    seen: set[str] = set()
    for n, (name, old, new) in enumerate(MESH_EDITS):
        path = root / name
        text = path.read_text()
        assert old in text or old == "", (n, name)
        edited = text.replace(old, new, 1) if old else text + new
        assert workspace.set_text(str(path), edited) == (edited != text), n
        path.write_text(edited)
        expected = lint_paths(["."], workspace.settings, catalog=workspace.catalog, cwd=str(root)).findings
        seen.update(f.rule_id for f in expected)
        graph = workspace.graph_of(name)
        assert graph is not None
        assert _indexes(graph) == _indexes(ManifestGraph(graph.objects, workspace.settings.pod_sources)), n
        model = routing_model(graph, workspace.settings)
        assert _verdicts(model) == _verdicts(RoutingModel(graph, workspace.settings)), n
        for focus in [name, *(f for f in files if f != name)]:
            got = workspace.check({focus})[focus]
            assert _exact(got) == _exact([f for f in expected if f.location.path == focus]), (n, focus)
    # the sequence reaches the rules that read pod classes and policies, and a file that does not parse
    assert {"SVC001", "SVC101", "SVC401", "SVC402", "SVC404", "SVC405", "SVC406"} <= seen, sorted(seen)


def test_edits_do_not_keep_every_graph_alive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A graph is built from the last one, and its routing model from the last model: neither
    may hold on to the one before (the server would keep every graph since it started)."""
    root, workspace = _checked_mesh(tmp_path, monkeypatch)
    for n, (name, old, new) in enumerate(MESH_EDITS[:8]):
        path = root / name
        text = path.read_text().replace(old, new, 1)
        path.write_text(text)
        workspace.set_text(str(path), text)
        workspace.check({name} if n % 3 else {"namespaces.yaml"})  # some edits build no routing model
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, ManifestGraph)]
    assert len(alive) <= 2, len(alive)
