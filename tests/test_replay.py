"""A cached run after a few files changed keeps the findings the change cannot reach
(``lint.replay``) and must print exactly what an uncached run prints.

Each test edits real trees the way people do (a label value, a port, a selector, a policy's
peer, a namespace, a document added or removed, YAML broken and mended, a suppression
comment), one edit after another on the same cache so that the kept load's snapshots chain,
and compares every cached run with an uncached run of the same files, byte for byte. The
random edits are seeded: the same edits every run.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from svclint.lint import replay
from svclint.loading.cache import open_cache
from svclint.settings import Limits
from tests.conftest import FIXTURES, REPO, CliRun, composed_paths, run_cli

SCALAR = re.compile(r"^(\s*-?\s*[\w./-]+: )([\w.-]+)\s*$")


def _same(left: CliRun, right: CliRun) -> bool:
    return (left.exit_code, left.stdout, left.stderr) == (right.exit_code, right.stdout, right.stderr)


@pytest.fixture
def replays(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[replay.Replay | None]:
    """What ``replay.prepare`` answered in each cached run (the behaviour is not changed)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    answers: list[replay.Replay | None] = []
    real = replay.prepare

    def spying(*args: object, **kwargs: object) -> replay.Replay | None:
        answer = real(*args, **kwargs)  # type: ignore[arg-type]
        answers.append(answer)
        return answer

    monkeypatch.setattr(replay, "prepare", spying)
    return answers


def _edit(text: str, rng: random.Random) -> str | None:
    """One seeded edit of a scalar value: a number moved by one, a word changed or swapped
    for another of the file's values; None when the file has no scalar to edit."""
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if SCALAR.match(line) and not line.lstrip().startswith("#")]
    if not candidates:
        return None
    i = rng.choice(candidates)
    match = SCALAR.match(lines[i])
    assert match is not None
    prefix, value = match.groups()
    key = prefix.strip().lstrip("- ").rstrip(": ")
    if key in {"apiVersion", "kind"}:
        return None
    values = [m.group(2) for line in lines if (m := SCALAR.match(line))]
    choice = rng.random()
    if value.isdigit():
        new = str(int(value) + rng.choice((1, -1, 1000)))
    elif choice < 0.5:
        new = rng.choice(values)
    else:
        new = value + rng.choice(("-x", "2", ""))
    lines[i] = prefix + new
    return "\n".join(lines)


def _check_edits(tree: Path, cache: Path, edits: int, seed: int, formats: tuple[str, ...] = ("json",)) -> int:
    """Apply ``edits`` seeded edits to ``tree`` one after another; after each, every format's
    cached run equals the uncached one. Returns how many edits changed a file."""
    rng = random.Random(seed)
    manifests = sorted(p for p in tree.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file() and not p.is_symlink())
    base = ("check", str(tree), "--isolated", "--select", "ALL", "--fail-on", "never")
    for fmt in formats:
        run_cli(*base, "-f", fmt, "--cache-dir", str(cache))
    done = 0
    while done < edits:
        path = rng.choice(manifests)
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        edited = _edit(text, rng)
        if edited is None or edited == text:
            continue
        path.write_text(edited, encoding="utf-8", errors="surrogateescape")
        done += 1
        for fmt in formats:
            uncached = run_cli(*base, "-f", fmt, "--no-cache")
            cached = run_cli(*base, "-f", fmt, "--cache-dir", str(cache))
            assert _same(cached, uncached), (path, edited, fmt)
    return done


@pytest.mark.parametrize(
    ("name", "one_unit"),
    [("examples/shop", True), ("server/mesh", True), ("core", True), ("netpol-analyzer-shape", True), ("calls", False), ("units-repo", False)],
)
def test_seeded_edits_on_fixture_trees_match_uncached_runs(
    name: str, one_unit: bool, tmp_path: Path, replays: list[replay.Replay | None]
) -> None:
    """A tree of several deployment units is checked whole after a change (no state is kept)."""
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / name, tree, symlinks=True)
    assert _check_edits(tree, tmp_path / "cache", edits=12, seed=15, formats=("json", "sarif")) == 12
    assert any(answer is not None for answer in replays) == one_unit


def _corpus(directory: Path, objects: int, seed: int) -> Path:
    tree = directory / "corpus"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "gen_corpus.py"), "--objects", str(objects), "--out", str(tree), "--seed", str(seed)],
        check=True, capture_output=True,
    )
    return tree


@pytest.mark.slow
def test_seeded_edits_on_a_generated_tree_replay_and_match(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    """A GitOps-shaped tree of ~400 objects, one unit: each edit replays (no added file, no
    identity changed) unless it renames an object, and the report is an uncached run's."""
    tree = _corpus(tmp_path, 400, seed=3)
    assert _check_edits(tree, tmp_path / "cache", edits=20, seed=7) == 20
    assert sum(answer is not None for answer in replays) >= 10


@pytest.mark.slow
def test_seeded_edits_on_a_second_generated_tree_in_sarif(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    tree = _corpus(tmp_path, 600, seed=2)
    assert _check_edits(tree, tmp_path / "cache", edits=10, seed=2, formats=("sarif",)) == 10
    assert sum(answer is not None for answer in replays) >= 5


def test_the_language_server_edit_sequence_replays_and_matches(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    """The edits the language server's tests make (labels moving pods between Services and
    policies, a named port, a policy's selector and port, Namespace labels, an object moving
    namespace, objects deleted and added, YAML broken and mended), each checked by a cached
    run against an uncached one."""
    from tests.test_server_workspace import MESH_EDITS

    tree = tmp_path / "mesh"
    shutil.copytree(FIXTURES / "server" / "mesh", tree)
    cache = tmp_path / "cache"
    base = ("check", str(tree), "--isolated", "--select", "ALL", "--fail-on", "never")
    for fmt in ("json", "sarif", "text"):
        run_cli(*base, "-f", fmt, "--cache-dir", str(cache))
    json_runs = []
    for name, old, new in MESH_EDITS:
        path = tree / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1) if old else text + new, encoding="utf-8")
        for fmt in ("json", "sarif", "text"):
            asked = len(replays)
            assert _same(run_cli(*base, "-f", fmt, "--cache-dir", str(cache)), run_cli(*base, "-f", fmt, "--no-cache")), (name, new, fmt)
            if fmt == "json":
                json_runs.append([answer is not None for answer in replays[asked:]])
    # The label, port, policy and Namespace edits replay; an object moved to another
    # namespace, added or deleted changes what the unit defines: those runs are whole.
    assert json_runs[:9] == [[True]] * 7 + [[False], [False]]


def _replay_tree(tmp_path: Path) -> tuple[Path, Path, tuple[str, ...]]:
    tree = tmp_path / "mesh"
    shutil.copytree(FIXTURES / "server" / "mesh", tree)
    return tree, tmp_path / "cache", ("check", str(tree), "--isolated", "-f", "json", "--fail-on", "never")


def _touch_port(tree: Path, old: str = "containerPort: 8080", new: str = "containerPort: 8081") -> None:
    path = tree / "web.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_a_file_added_or_removed_is_a_whole_run_and_each_list_of_files_keeps_its_state(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    tree, cache, command = _replay_tree(tmp_path)
    run_cli(*command, "--cache-dir", str(cache))
    (tree / "extra.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, namespace: shop}\n", encoding="utf-8")
    assert _same(run_cli(*command, "--cache-dir", str(cache)), run_cli(*command, "--no-cache"))
    # The first list of files again, with one of them changed: the first run's state replays.
    (tree / "extra.yaml").unlink()
    _touch_port(tree)
    assert _same(run_cli(*command, "--cache-dir", str(cache)), run_cli(*command, "--no-cache"))
    assert [answer is not None for answer in replays] == [False, False, True]  # (the first run has no state yet)


def test_a_snapshot_that_does_not_verify_is_not_loaded(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    """A committed or damaged snapshot (a MAC made with another key, flipped bytes, a planted
    pickle) is a miss: the run is whole and right, and nothing of it is unpickled."""
    tree, cache, command = _replay_tree(tmp_path)
    run_cli(*command, "--cache-dir", str(cache))
    snapshots = sorted(cache.glob("snap-*"))
    assert len(snapshots) == 1 and sorted(cache.glob("state-*"))
    planted = b"svclint-signed-1\n" + bytes(32) + b"cos\nsystem\n(S'echo planted > " + str(tmp_path / "pwned").encode() + b"'\ntR."
    snapshots[0].write_bytes(planted)
    _touch_port(tree)
    assert _same(run_cli(*command, "--cache-dir", str(cache)), run_cli(*command, "--no-cache"))
    assert not (tmp_path / "pwned").exists()
    assert replays == [None, None]
    state = sorted(cache.glob("state-*"))[0]
    data = bytearray(state.read_bytes())
    data[-1] ^= 1
    state.write_bytes(bytes(data))
    _touch_port(tree, "containerPort: 8081", "containerPort: 8082")
    assert _same(run_cli(*command, "--cache-dir", str(cache)), run_cli(*command, "--no-cache"))
    assert replays == [None, None, None]


def test_changed_files_chain_until_a_new_whole_snapshot(
    tmp_path: Path, replays: list[replay.Replay | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each replay adds the changed files' parts; past ``MAX_DELTAS`` the next run writes the
    whole load again, and the snapshots no state names are deleted once old enough."""
    monkeypatch.setattr(replay, "MAX_DELTAS", 8)  # (the mechanism, in fewer runs)
    tree, cache, command = _replay_tree(tmp_path)
    run_cli(*command, "--cache-dir", str(cache))
    port = 8080
    for n in range(replay.MAX_DELTAS + 2):
        _touch_port(tree, f"containerPort: {port}", f"containerPort: {port + 1}")
        port += 1
        assert _same(run_cli(*command, "--cache-dir", str(cache)), run_cli(*command, "--no-cache")), n
    assert replays[0] is None and all(answer is not None for answer in replays[1:])
    state = _states(cache)[0]
    assert len(state.snapshots) == 2  # the second whole load and one delta
    sizes = {p.name: p.stat().st_size for p in cache.glob("snap-*")}
    whole = sizes[state.snapshots[0]]
    orphans = sorted((p.stat().st_mtime_ns, p.name) for p in cache.glob("snap-*") if p.name not in state.snapshots)
    # No state names the first whole load and its deltas now: all younger than
    # ORPHAN_SECONDS, the newest stay up to the new whole's size, the rest (the first whole) go.
    assert sum(sizes[name] for _, name in orphans) <= whole
    assert len(orphans) >= 2 and max(sizes[name] for _, name in orphans) < whole


def _states(cache: Path) -> list[replay.State]:
    opened = open_cache(str(cache), Limits())
    assert opened is not None
    try:
        found = [replay._read_state(opened, p.name) for p in sorted(cache.glob("state-*"))]
    finally:
        opened.close()
    return [state for state in found if state is not None]


def test_full_runs_in_a_row_keep_no_more_than_a_whole_load_of_snapshots_no_state_names(
    tmp_path: Path, replays: list[replay.Replay | None]
) -> None:
    """Each file added makes a full run, which writes the whole load again: the snapshots of
    the states no longer kept are deleted past the size of one whole load, young or not."""
    tree, cache, command = _replay_tree(tmp_path)
    for n in range(6):
        (tree / f"extra-{n}.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: extra-{n}, namespace: shop}}\n", encoding="utf-8")
        assert _same(run_cli(*command, "--cache-dir", str(cache)), run_cli(*command, "--no-cache"))
    assert replays == [None] * 6
    named = {name for state in _states(cache) for name in state.snapshots}
    assert len(named) == replay.KEEP_STATES  # one whole load per kept state
    sizes = {p.name: p.stat().st_size for p in cache.glob("snap-*")}
    orphans = [size for name, size in sizes.items() if name not in named]
    assert len(orphans) <= 1 and sum(orphans) <= max(sizes.values())  # without the bound: 4 more whole loads


def test_a_replay_locates_from_kept_positions_and_keeps_new_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replays: list[replay.Replay | None]
) -> None:
    """The kept load has no positions of its own: each file gets the run's store again, so
    only the changed file is composed to locate findings, and what it locates is kept."""
    from svclint.api import lint_report
    from svclint.settings import Settings

    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "core", tree)
    composed = composed_paths(monkeypatch)
    settings = Settings(cache_dir=str(tmp_path / "cache"), jobs=1)
    first = lint_report([str(tree)], settings, cwd=str(tmp_path))
    assert first.findings and composed
    for edit in (1, 2):
        edited = tree / "locations.yaml"
        edited.write_text(edited.read_text(encoding="utf-8") + f"\n# edited {edit}\n", encoding="utf-8")
        composed.clear()
        again = lint_report([str(tree)], settings, cwd=str(tmp_path))
        assert set(composed) <= {"tree/locations.yaml"}
        assert again == lint_report([str(tree)], Settings(jobs=1), cwd=str(tmp_path))
    assert [answer is not None for answer in replays] == [False, True, True]


def _edit_in_turn(tree: Path, cache: Path, edits: list[tuple[str, str, str]], options: tuple[str, ...] = ()) -> list[str]:
    """Each edit (file, old text, new text) in turn, each cached run equal to an uncached
    one; returns the JSON reports."""
    command = ("check", str(tree), "--isolated", "--select", "ALL", "-f", "json", "--fail-on", "never", *options)
    run_cli(*command, "--cache-dir", str(cache))
    reports = []
    for name, old, new in edits:
        path = tree / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        cached, uncached = run_cli(*command, "--cache-dir", str(cache)), run_cli(*command, "--no-cache")
        assert _same(cached, uncached), (name, new)
        reports.append(cached.stdout)
    return reports


def _by_rule(report: str, tree: Path, *rules: str) -> list[tuple[str, str, int]]:
    return sorted(
        (f["rule"], Path(f["file"]).relative_to(tree).as_posix(), f["line"])
        for f in json.loads(report)["findings"] if f["rule"] in rules
    )


def test_node_and_host_port_edits_reach_findings_in_other_namespaces(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    """Node ports, host ports and cluster IPs are pools of the whole cluster: SVC201's
    suggestion and SVC202's, SVC208's and SVC210's conflicts in one namespace move with a
    claim in another. An edit
    that changes a claim re-checks every file; one that keeps them, only its own."""
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "replay" / "nodeports", tree / "nodeports")
    shutil.copytree(FIXTURES / "replay" / "hostports", tree / "hostports")
    reports = _edit_in_turn(tree, tmp_path / "cache", [
        ("nodeports/edge.yaml", "nodePort: 30000", "nodePort: 30001"),  # the conflict goes, 30001 is taken
        ("nodeports/edge.yaml", "image: example/edge:1", "image: example/edge:2"),  # no claim changed
        ("nodeports/edge.yaml", "nodePort: 30001", "nodePort: 30000"),  # back
        ("hostports/agent.yaml", "hostPort: 9100", "hostPort: 9101"),  # the host port conflict goes
        ("hostports/agent.yaml", "image: example/agent:1", "image: example/agent:2"),
        ("hostports/agent.yaml", "hostPort: 9101", "hostPort: 9100"),
        ("nodeports/tools.yaml", "clusterIP: 10.96.0.50", "clusterIP: 10.96.0.52"),  # the clusterIP conflict goes
        ("nodeports/edge.yaml", "clusterIP: 10.96.0.50", "clusterIP: 10.96.0.52"),  # and comes back, at tools.yaml
    ])
    rules = ("SVC201", "SVC202", "SVC208", "SVC210")
    conflict = ("SVC202", "nodeports/tools.yaml", 13)
    host = ("SVC208", "hostports/exporter.yaml", 18)
    out_of_range = ("SVC201", "nodeports/legacy.yaml", 28)
    address = ("SVC210", "nodeports/tools.yaml", 10)
    assert [_by_rule(report, tree, *rules) for report in reports] == [
        [out_of_range, host, address], [out_of_range, host, address], [out_of_range, conflict, host, address],
        [out_of_range, conflict, address], [out_of_range, conflict, address], [out_of_range, conflict, host, address],
        [out_of_range, conflict, host], [out_of_range, conflict, host, address],
    ]
    suggested = [
        [f["message"].split("such as ")[1].split(",")[0] for f in json.loads(report)["findings"] if f["rule"] == "SVC201"]
        for report in reports
    ]
    assert suggested == [["30002"], ["30002"], ["30001"], ["30001"], ["30001"], ["30001"], ["30001"], ["30001"]]
    assert all(answer is not None for answer in replays[1:]) and len(replays) == 9


def test_references_into_a_namespace_follow_a_chain_of_replays(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    """SVC502 at references from other namespaces (`queue.data:5672`) comes and goes with the
    Service's port, through replays that carry each namespace's words from the one before
    (``routing.affected.carry_namespace_words``) and read again those of an edited namespace:
    tools/probe names namespace data only after the second edit, so the third must reach it."""
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "affected" / "crossns", tree)
    reports = _edit_in_turn(tree, tmp_path / "cache", [
        ("data/cache.yaml", "role: store", "role: stash"),
        ("tools/probe.yaml", "http://search.back:9300", "amqp://queue.data:5672"),
        ("data/queue.yaml", "{port: 5673, targetPort: amqp}", "{port: 5672, targetPort: amqp}"),
        ("data/queue.yaml", "{port: 5672, targetPort: amqp}", "{port: 5674, targetPort: amqp}"),
    ])
    calls = [
        sorted(Path(f["file"]).relative_to(tree).as_posix() for f in json.loads(report)["findings"] if "queue.data:5672, but" in f["message"])
        for report in reports
    ]
    assert calls == [["back/worker.yaml", "front/web.yaml"], ["back/worker.yaml", "front/web.yaml", "tools/probe.yaml"], [], ["back/worker.yaml", "front/web.yaml", "tools/probe.yaml"]]
    assert all(answer is not None for answer in replays[1:]) and len(replays) == 5


def test_schema_rules_keep_each_files_findings_and_follow_their_rule_file(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    """The rule files' rules (SVC215, a user's ORG001) read one object each (``per_object``):
    a replay checks only the changed file and keeps the other's findings; an edit of the
    user's rule file is another rule catalog, so a full run."""
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "replay" / "schema-rules" / "tree", tree)
    shutil.copytree(FIXTURES / "replay" / "schema-rules" / "rules", tmp_path / "rules")
    reports = _edit_in_turn(tree, tmp_path / "cache", [
        ("shop.yaml", "type: LoadBalancer", "type: ClusterIP"),
        ("shop.yaml", "labels: {app: web}\nspec:", "labels: {app: web, team: shop}\nspec:"),
        ("tools.yaml", "labels: {app: probe, team: tools}", "labels: {app: probe}"),
        ("../rules/ORG001-team-label.yaml", "required: [team]", "required: [owner]"),
        ("shop.yaml", "type: ClusterIP", "type: LoadBalancer"),
    ], ("--rules-dir", str(tmp_path / "rules")))
    shop_open, tools_open = ("SVC215", "shop.yaml", 9), ("SVC215", "tools.yaml", 9)
    shop_team, tools_team = ("ORG001", "shop.yaml", 19), ("ORG001", "tools.yaml", 19)
    assert [_by_rule(report, tree, "SVC215", "ORG001") for report in reports] == [
        [shop_team, tools_open], [tools_open], [tools_team, tools_open],
        [shop_team, tools_team, tools_open], [shop_team, tools_team, shop_open, tools_open],
    ]
    assert [answer is not None for answer in replays] == [False, True, True, True, False, True]


def test_backend_edits_reach_the_ingresses_and_routes_that_lead_there(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    """SVC303 follows a backend into its Service's namespace: an edit of shop's workload,
    Service or ReferenceGrant reaches the Ingress beside it and the HTTPRoute of namespace
    gateway (``checks.affected.svc303_affected``), while other's dead end is kept."""
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "replay" / "backends", tree)
    reports = _edit_in_turn(tree, tmp_path / "cache", [
        ("shop/app.yaml", "labels: {app: web}\n    spec:", "labels: {app: webx}\n    spec:"),  # no endpoints
        ("shop/app.yaml", "selector: {app: web}", "selector: {app: webx}"),
        ("shop/app.yaml", "targetPort: http}", "targetPort: web}"),  # no container port of that name
        ("shop/grant.yaml", "namespace: gateway}", "namespace: edge}"),  # the route may not reach shop (SVC304)
        ("shop/app.yaml", "image: example/web:1", "image: example/web:2"),
        ("shop/grant.yaml", "namespace: edge}", "namespace: gateway}"),
        ("shop/app.yaml", "name: http, containerPort", "name: web, containerPort"),
    ])
    other, route = ("SVC303", "other/app.yaml", 20), ("SVC303", "gateway/route.yaml", 10)
    name, port = ("SVC303", "shop/ingress.yaml", 15), ("SVC303", "shop/ingress.yaml", 16)  # the backend's name, its port
    assert [_by_rule(report, tree, "SVC303") for report in reports] == [
        [route, other, name], [other], [route, other, port], [other, port], [other, port], [route, other, port], [other],
    ]
    assert all(answer is not None for answer in replays[1:]) and len(replays) == 8


def test_policy_rules_checked_on_the_policies_in_focus_alone(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    """SVC401, SVC403 and SVC409 of a replay parse and judge only the policies of the changed
    namespaces (SVC403 names the workloads of theirs alone); tools' findings are kept."""
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "replay" / "egress", tree)
    reports = _edit_in_turn(tree, tmp_path / "cache", [
        ("shop.yaml", "labels: {app: worker}\n    spec:", "labels: {app: batch}\n    spec:"),
        ("shop-policy.yaml", "values: [api, worker]", "values: [none]"),  # selects nothing
        ("shop-policy.yaml", "port: 8080}", "port: 70000}"),  # invalid: out of the routing model
        ("tools.yaml", "image: example/api:1", "image: example/api:2"),
        ("tools-policy.yaml", "policyTypes: [Egress]", "policyTypes: [Ingress]"),  # no egress isolation
    ])

    def policy_findings(report: str) -> list[tuple[str, str, str]]:
        return sorted(
            (f["rule"], Path(f["file"]).relative_to(tree).as_posix(), f["message"].split(" under ")[0].split(" podSelector ")[0].split(":")[0])
            for f in json.loads(report)["findings"] if f["rule"] in ("SVC401", "SVC403", "SVC409")
        )

    tools = ("SVC403", "tools-policy.yaml", "NetworkPolicy tools/egress puts tools/api[Deployment], tools/worker[Deployment]")
    assert [policy_findings(report) for report in reports] == [
        [("SVC403", "shop-policy.yaml", "NetworkPolicy shop/egress puts shop/api[Deployment]"), tools],
        [("SVC401", "shop-policy.yaml", "NetworkPolicy shop/egress"), tools],
        [tools, ("SVC409", "shop-policy.yaml", "NetworkPolicy shop/egress")],
        [tools, ("SVC409", "shop-policy.yaml", "NetworkPolicy shop/egress")],
        [("SVC409", "shop-policy.yaml", "NetworkPolicy shop/egress")],
    ]
    assert all(answer is not None for answer in replays[1:]) and len(replays) == 6
