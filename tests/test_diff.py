"""`svclint diff`: the issue-13 scenarios in a temporary git repository, through the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import FIXTURES, REPO, run_cli

SHOP = FIXTURES / "review" / "shop"
DENY_CART = FIXTURES / "review" / "deny-cart.yaml"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _commit(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose first commit is the shop fixture; the tests run in it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    shutil.copytree(SHOP, root)
    _git(root, "init", "-q")
    _commit(root, "shop")
    monkeypatch.chdir(root)
    return root


def _diff(*args: str) -> tuple[int, dict]:
    result = run_cli("diff", *args, "--isolated", "-f", "json")
    assert result.stderr == "", result.stderr
    return result.exit_code, result.json()


def _cells(payload: dict) -> list[tuple[str, str, str, str, list[tuple[str, int, str]]]]:
    return [
        (c["source"], c["destination"], c["before"], c["after"], [(x["file"], x["line"], x["what"]) for x in c["causes"]])
        for c in payload["connectivity"]
    ]


def test_a_deny_policy_reports_exactly_the_closed_cells_with_its_file_and_line(repo: Path) -> None:
    shutil.copy(DENY_CART, repo / "policies.yaml")
    _commit(repo, "deny cart")
    code, payload = _diff("HEAD~1", "HEAD")
    cause = [("policies.yaml", 1, "NetworkPolicy default/deny-cart added")]
    assert _cells(payload) == [
        ("default/cart[Deployment]", "default/cart[Service]:7070/TCP", "allow", "deny", cause),
        ("default/frontend[Deployment]", "default/cart[Service]:7070/TCP", "allow", "deny", cause),
        ("ingress-controller", "default/cart[Service]:7070/TCP", "allow", "deny", cause),
    ]
    assert payload["summary"]["closed"] == 3 and payload["summary"]["exposed"] == 0
    assert [(f["rule"], f["file"], f["line"]) for f in payload["findings"]["new"]] == [("SVC404", "services.yaml", 22)]
    assert code == 1  # it closes calls
    assert run_cli("diff", "HEAD~1", "HEAD", "--isolated", "--no-fail-on-closed", "--fail-on", "never").exit_code == 0
    assert (repo / "policies.yaml").exists() and not [p for p in os.listdir(repo) if p.startswith("svclint-diff")]
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True)
    assert status.stdout == ""  # the work tree and the index are untouched


def test_a_closed_cell_the_frontend_calls_is_a_broken_call_with_its_reference(repo: Path) -> None:
    """The deny policy closes three cells; only frontend -> cart is a call the app makes
    (its env CART_ADDR), and the diff names that reference in every format."""
    workloads = (repo / "workloads.yaml").read_text()
    (repo / "workloads.yaml").write_text(
        workloads.replace("          image: example/frontend:1.0\n", "          image: example/frontend:1.0\n          env:\n            - name: CART_ADDR\n              value: cart:7070\n")
    )
    _commit(repo, "the frontend calls cart")
    shutil.copy(DENY_CART, repo / "policies.yaml")
    _commit(repo, "deny cart")
    code, payload = _diff("HEAD~1", "HEAD")
    assert [(c["source"], c["closes_call"], c["breaks_call"], c["calls"]) for c in payload["connectivity"]] == [
        ("default/cart[Deployment]", True, False, []),
        ("default/frontend[Deployment]", True, True, [{"file": "workloads.yaml", "line": 19, "origin": "env CART_ADDR", "text": "cart:7070"}]),
        ("ingress-controller", True, False, []),
    ]
    assert payload["summary"]["closed"] == 3 and payload["summary"]["broken_calls"] == 1
    assert code == 1
    text = run_cli("diff", "HEAD~1", "HEAD", "--isolated").stdout
    assert text.splitlines()[0] == (
        "svclint diff HEAD~1 -> HEAD: 3 connectivity changes (3 closed, 1 call the app makes broken, 0 newly exposed), "
        "2 new findings, 0 fixed, 3 unchanged"
    )
    assert [(f["rule"], f["line"]) for f in payload["findings"]["new"]] == [("SVC404", 22), ("SVC503", 19)]
    assert "      breaks the call env CART_ADDR: cart:7070  [workloads.yaml:19]" in text.splitlines()
    markdown = run_cli("diff", "HEAD~1", "HEAD", "--isolated", "-f", "markdown").stdout
    assert "<br>breaks the call env CART\\_ADDR: `cart:7070` (`workloads.yaml:19`) |" in markdown


def test_a_renamed_pod_label_reports_the_service_that_lost_its_endpoints_and_the_new_svc101(repo: Path) -> None:
    workloads = (repo / "workloads.yaml").read_text()
    (repo / "workloads.yaml").write_text(workloads.replace("      labels:\n        app: cart\n", "      labels:\n        app: carts\n"))
    (repo / "workloads.yaml").write_text((repo / "workloads.yaml").read_text().replace("      app: cart\n", "      app: carts\n"))
    _commit(repo, "rename the cart label")
    code, payload = _diff("HEAD~1", "HEAD")
    cause = [("workloads.yaml", 28, "Deployment default/cart changed")]
    assert _cells(payload) == [
        ("default/cart[Deployment]", "default/cart[Service]:7070/TCP", "allow", "no-endpoints", cause),
        ("default/frontend[Deployment]", "default/cart[Service]:7070/TCP", "allow", "no-endpoints", cause),
        ("external", "default/cart[Service]:7070/TCP", "deny", "no-endpoints", cause),  # not exposed, now empty too
        ("ingress-controller", "default/cart[Service]:7070/TCP", "allow", "no-endpoints", cause),
    ]
    assert [(f["rule"], f["file"], f["line"]) for f in payload["findings"]["new"]] == [("SVC101", "services.yaml", 19)]
    assert [(f["rule"], f["file"]) for f in payload["findings"]["fixed"]] == [("SVC111", "workloads.yaml")]
    assert code == 1


def test_reordering_documents_and_adding_comments_reports_nothing(repo: Path) -> None:
    services = (repo / "services.yaml").read_text().split("---\n")
    (repo / "services.yaml").write_text("# Services of the shop\n" + "---\n".join(reversed(services)).replace("spec:", "spec:  # the spec", 1))
    workloads = (repo / "workloads.yaml").read_text()
    (repo / "workloads.yaml").write_text("# apps\n\n" + workloads.replace("  replicas", "  replicas"))
    _commit(repo, "reorder and comment")
    result = run_cli("diff", "HEAD~1", "HEAD", "--isolated")
    assert result.exit_code == 0
    assert result.stdout == "svclint diff HEAD~1 -> HEAD: no connectivity change, no new or fixed finding (3 findings unchanged)\n"
    # Moving objects to another file keeps them too.
    (repo / "all.yaml").write_text((repo / "workloads.yaml").read_text() + "---\n" + (repo / "services.yaml").read_text())
    os.remove(repo / "workloads.yaml")
    os.remove(repo / "services.yaml")
    code, payload = _diff("HEAD")  # NEW: the working tree
    assert code == 0 and payload["connectivity"] == [] and payload["findings"] == {"new": [], "fixed": []}


def test_opening_a_service_to_the_outside_fails(repo: Path) -> None:
    services = (repo / "services.yaml").read_text()
    (repo / "services.yaml").write_text(services.replace("  name: cart\nspec:\n", "  name: cart\nspec:\n  type: LoadBalancer\n"))
    code, payload = _diff("HEAD", ".")
    assert [(c["source"], c["before"], c["after"], c["opens_exposure"]) for c in payload["connectivity"]] == [
        ("external", "deny", "allow", True)
    ]
    assert payload["connectivity"][0]["causes"] == [{"file": "services.yaml", "line": 19, "what": "Service default/cart changed"}]
    assert code == 1
    assert run_cli("diff", "HEAD", "--isolated", "--no-fail-on-exposure", "--fail-on", "never").exit_code == 0


def test_directories_are_compared_and_sarif_holds_only_the_new_findings(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(SHOP, old)
    shutil.copytree(SHOP, new)
    shutil.copy(DENY_CART, new / "policies.yaml")
    result = run_cli("diff", str(old), str(new), "--isolated", "-f", "sarif")
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results] == [
        ("SVC404", "services.yaml")
    ]


def test_markdown_pull_request_comment(repo: Path, golden) -> None:
    shutil.copy(DENY_CART, repo / "policies.yaml")
    workloads = (repo / "workloads.yaml").read_text()
    (repo / "workloads.yaml").write_text(
        workloads.replace("          image: example/cart:1.0\n", "          image: example/cart:1.0\n          readinessProbe:\n            grpc:\n              port: 7070\n")
    )
    _commit(repo, "deny cart, probe it")
    result = run_cli("diff", "HEAD~1", "HEAD", "--isolated", "-f", "markdown")
    assert result.exit_code == 1
    golden(REPO / "tests" / "data" / "review" / "deny-cart.md", result.stdout.replace(_version(), "VERSION"))


def _version() -> str:
    from svclint import __version__

    return __version__


def test_bad_sides_are_usage_errors(repo: Path) -> None:
    result = run_cli("diff", "no-such-revision", "--isolated")
    assert result.exit_code == 2
    assert "'no-such-revision' is neither a file, a directory, nor a git revision" in result.stderr
    assert run_cli("diff", "--output=x", "--isolated").exit_code == 2  # OLD is required


def test_ci_recipes_parse_and_run_the_diff_against_the_base() -> None:
    import re

    import yaml

    text = (REPO / "docs" / "review.md").read_text(encoding="utf-8")
    github, gitlab = (yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S))
    steps = github["jobs"]["svclint-diff"]["steps"]
    assert github["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert steps[0]["with"]["fetch-depth"] == 0
    diff_step = next(s for s in steps if s.get("id") == "diff")
    assert 'svclint diff "$BASE" HEAD --format markdown --output svclint-diff.md' in diff_step["run"]
    assert "${{" not in diff_step["run"]  # event data only through env
    assert any("gh pr comment" in s.get("run", "") and "--body-file svclint-diff.md" in s["run"] for s in steps)
    script = " ".join(gitlab["svclint-diff"]["script"])
    assert 'svclint diff "$CI_MERGE_REQUEST_DIFF_BASE_SHA" HEAD --format markdown --output svclint-diff.md' in script
    assert "merge_requests/$CI_MERGE_REQUEST_IID/notes" in script
