"""Issue 16: a pull request's tree and config cannot make svclint read outside the checked
directories, lift its limits, or silently lose files and documents."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from svclint.lint.config import load_settings
from svclint.settings import CEILINGS, Limits

from .conftest import run_cli

SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: {app}\n  ports:\n    - port: 80\n"


def service(name: str, app: str = "nothing") -> str:
    return SERVICE.format(name=name, app=app)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """repo/ (the checkout, cwd) beside outside/ (the runner's files)."""
    (tmp_path / "outside" / "dir").mkdir(parents=True)
    (tmp_path / "outside" / "secret.yaml").write_text(service("secret-file", "secret-selector"))
    (tmp_path / "outside" / "dir" / "more.yaml").write_text(service("secret-dir", "secret-selector"))
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "web.yaml").write_text(service("web"))
    (root / "link.yaml").symlink_to("../outside/secret.yaml")
    (root / "dirlink").symlink_to("../outside/dir")
    (root / "inside.yaml").symlink_to("sub/web.yaml")  # inside the tree: followed
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_symlinks_out_of_the_tree_are_not_followed_and_one_note_names_them(repo: Path, fmt: str) -> None:
    run = run_cli("check", ".", "-f", fmt)
    assert "secret" not in run.stdout
    assert run.stderr == "svclint: note: not following 2 symlinks that lead outside the checked directories: dirlink, link.yaml\n"
    assert run.exit_code == 1  # the in-tree Service selects nothing: SVC101 (sub/web.yaml and inside.yaml are one file)


def test_in_tree_findings_are_intact(repo: Path) -> None:
    run = run_cli("check", ".", "-f", "json")
    assert [(f["rule"], f["file"], f["line"]) for f in run.json()["findings"]] == [("SVC101", "inside.yaml", 6)]


def test_follow_symlinks_on_the_command_line_follows_them(repo: Path) -> None:
    run = run_cli("check", ".", "-f", "json", "--follow-symlinks")
    assert sorted(f["object"]["name"] for f in run.json()["findings"] if f["rule"] == "SVC101") == ["secret-dir", "secret-file", "web"]
    assert run.stderr == ""


def test_an_explicit_symlink_out_of_the_tree_is_not_read(repo: Path) -> None:
    run = run_cli("check", "link.yaml", "sub/web.yaml", "-f", "json")
    assert [f["file"] for f in run.json()["findings"]] == ["sub/web.yaml"]
    assert "link.yaml" in run.stderr


@pytest.mark.parametrize(
    ("key", "value"), [("paths", "[/etc]"), ("paths", "[../outside]"), ("rule-dirs", "[../outside/dir]")]
)
def test_config_paths_outside_the_repository_are_refused(repo: Path, key: str, value: str) -> None:
    (repo / ".svclint.yaml").write_text(f"select: [SVC1]\n{key}: {value}\n")
    run = run_cli("check")
    assert run.exit_code == 2
    shown = value.strip("[]")
    assert run.stderr == (
        f"svclint: error: {repo / '.svclint.yaml'}:2: {key}.0: '{shown}' is outside the repository ({repo}); "
        "a config file names only paths inside it (give a path outside on the command line)\n"
    )
    assert "secret" not in run.stdout


def test_config_paths_inside_the_repository_still_work(repo: Path) -> None:
    (repo / ".svclint.yaml").write_text("paths: [sub]\n")
    run = run_cli("check", "-f", "json")
    assert [(f["rule"], f["file"]) for f in run.json()["findings"]] == [("SVC101", "sub/web.yaml")]


def test_an_unlistable_directory_is_a_finding_and_the_rest_is_checked(repo: Path) -> None:
    """A directory whose path is longer than the OS allows (ENAMETOOLONG) cannot be listed,
    as root too (chmod 000 does not stop root)."""
    fd = os.open(repo / "sub", os.O_RDONLY)
    try:
        for _ in range(20):
            os.mkdir("d" * 250, dir_fd=fd)
            inner = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with os.fdopen(os.open("hidden.yaml", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as handle:
            handle.write(service("deep"))
    finally:
        os.close(fd)
    run = run_cli("check", "sub", "-f", "json")
    findings = run.json()["findings"]
    unlistable = [f for f in findings if f["rule"] == "SVC001"]
    assert len(unlistable) == 1
    assert unlistable[0]["file"].startswith("sub/" + "d" * 250 + "/")
    assert (unlistable[0]["line"], unlistable[0]["column"]) == (1, 1)
    assert unlistable[0]["message"] == "cannot list this directory: File name too long; its files are not checked"
    assert [(f["rule"], f["file"]) for f in findings if f["rule"] != "SVC001"] == [("SVC101", "sub/web.yaml")]
    assert run.exit_code == 1


def test_a_nul_byte_costs_only_its_own_document(repo: Path) -> None:
    (repo / "sub" / "web.yaml").unlink()
    (repo / "sub" / "three.yaml").write_bytes(
        service("first").encode() + b"---\n# a comment with a \0 byte\n" + service("second").encode() + b"---\n" + service("third").encode()
    )
    run = run_cli("check", "sub", "-f", "json")
    assert [(f["rule"], f["line"], f["column"], f["message"].split(";")[0]) for f in run.json()["findings"]] == [
        ("SVC101", 6, 3, "Service default/first selector app=nothing matches no pod template in namespace 'default'"),
        ("SVC001", 11, 20, "a NUL byte at line 11, column 20"),
        ("SVC101", 27, 3, "Service default/third selector app=nothing matches no pod template in namespace 'default'"),
    ]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{c}: &{c} [{', '.join([f'*{chr(ord(c) - 1)}'] * 10)}]\n" for c in "bcdefgh"
        ), "expand this document to more than 100000 nodes (an alias bomb?)"),
        ("select: " + "[" * 3000 + "]" * 3000 + "\n", "nesting deeper than 100 levels"),
    ],
    ids=["alias-bomb", "deep"],
)
def test_config_bombs_are_clear_config_errors(repo: Path, config: str, message: str) -> None:
    (repo / ".svclint.yaml").write_text(config)
    run = run_cli("check")
    assert run.exit_code == 2
    assert run.stderr.startswith(f"svclint: error: {repo / '.svclint.yaml'}:")
    assert message in run.stderr
    assert "internal error" not in run.stderr


def test_deep_toml_config_is_a_clear_error(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.svclint]\nselect = " + "[" * 5000 + "]" * 5000 + "\n")
    run = run_cli("check")
    assert run.exit_code == 2
    assert "internal error" not in run.stderr
    assert run.stderr.startswith(f"svclint: error: {repo / 'pyproject.toml'}:1: ")


@pytest.mark.parametrize(
    ("key", "value", "maximum"),
    [
        ("max-expanded-nodes", 10**9, CEILINGS.max_expanded_nodes),
        ("max-document-bytes", 10**12, CEILINGS.max_document_bytes),
        ("max-objects-per-file", 10**8, CEILINGS.max_objects_per_file),
        ("max-depth", 100_000, CEILINGS.max_depth),
    ],
)
def test_a_config_cannot_lift_limits_past_their_ceilings(repo: Path, key: str, value: int, maximum: int) -> None:
    (repo / ".svclint.yaml").write_text(f"limits:\n  {key}: {value}\n")
    run = run_cli("check")
    assert run.exit_code == 2
    assert run.stderr == f"svclint: error: {repo / '.svclint.yaml'}:2: limits.{key}: {value} is greater than the maximum of {maximum}\n"


def test_config_jobs_are_capped_at_the_machines_cores(repo: Path) -> None:
    (repo / ".svclint.yaml").write_text("jobs: 64\n")
    settings, _ = load_settings(None, False, str(repo))
    assert settings.jobs == min(64, os.cpu_count() or 1)
    (repo / ".svclint.yaml").write_text("jobs: 100\n")
    assert run_cli("check").exit_code == 2


def test_objects_past_the_per_file_bound_are_one_finding_and_the_rest_is_kept(repo: Path) -> None:
    (repo / ".svclint.yaml").write_text("limits:\n  max-objects-per-file: 3\n")
    (repo / "sub" / "many.yaml").write_text("---\n".join(service(f"s{i}") for i in range(6)))
    run = run_cli("check", "sub", "-f", "json")
    findings = [(f["rule"], f["file"], f["line"]) for f in run.json()["findings"]]
    assert findings == [
        ("SVC101", "sub/many.yaml", 6), ("SVC101", "sub/many.yaml", 16), ("SVC101", "sub/many.yaml", 26),
        ("SVC001", "sub/many.yaml", 31), ("SVC101", "sub/web.yaml", 6),
    ]
    assert run.json()["findings"][3]["message"] == (
        "more than 3 Kubernetes objects in this file; this one and the rest of the file are not checked (limits.max-objects-per-file)"
    )


def test_the_default_object_bound_is_memory_aware_and_under_the_ceiling() -> None:
    assert 10_000 <= Limits().max_objects_per_file <= CEILINGS.max_objects_per_file


def test_a_mapping_used_as_a_config_key_is_a_config_error(repo: Path) -> None:
    """Found by the config fuzz target: ruamel raised TypeError (an "internal error")."""
    (repo / ".svclint.yaml").write_text(
        "1rZules:\n  SVC3kind: Deployment\n? C917:\n    sevC0958:1917:\n    sevXritkind: Deployment\ny: note\nerity: note\n"
    )
    run = run_cli("check")
    assert run.exit_code == 2
    assert run.stderr.startswith(f"svclint: error: {repo / '.svclint.yaml'}:1: invalid YAML: a mapping key that is not a plain value")


def test_a_non_string_config_key_is_a_config_error(repo: Path) -> None:
    """Found by the config fuzz target: jsonschema compared a mapping key with a string."""
    (repo / ".svclint.yaml").write_text("rules:\n  SVC101:\n  ?  srity: warning\n  SVC000:\n    por\n    porote\n")
    run = run_cli("check")
    assert run.exit_code == 2
    assert run.stderr == f"svclint: error: {repo / '.svclint.yaml'}:1: rules: every key must be a string\n"
