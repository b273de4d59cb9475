"""Issue 16: a kustomization in a pull request must not make svclint connect anywhere.

Remote resources and git URLs are refused before kustomize runs (svclint/loading/render/
remote.py): one SVC009 note at each remote entry, that kustomization is not built, everything
else is still checked. Only ``--allow-remote`` on the command line lets kustomize fetch; a
config file cannot. A local listener proves that no connection is made.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from svclint.loading.render.remote import is_remote, remote_references

from .conftest import run_cli
from .listener import listening
from .test_render_inputs import _kubectl

PLAIN = "apiVersion: v1\nkind: Service\nmetadata:\n  name: plain\nspec:\n  selector:\n    app: nothing\n  ports:\n    - port: 80\n"
LOCAL = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n"


def tree(tmp_path: Path, url: str) -> Path:
    """overlay -> base (local) -> a remote resource and a git URL; plus a plain manifest."""
    (tmp_path / "base").mkdir()
    (tmp_path / "overlay").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text(
        f"resources:\n  - cm.yaml\n  - {url}/remote.yaml\n  - {url}/org/repo//deploy?ref=main\n"
    )
    (tmp_path / "base" / "cm.yaml").write_text(LOCAL)
    (tmp_path / "overlay" / "kustomization.yaml").write_text("resources:\n  - ../base\nnamePrefix: x-\n")
    (tmp_path / "plain.yaml").write_text(PLAIN)
    return tmp_path


def test_remote_resources_are_refused_before_the_build_and_the_rest_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(Path(_kubectl()).parent))
    with listening() as listener:
        monkeypatch.chdir(tree(tmp_path, listener.url))
        run = run_cli("check", ".", "-f", "json")
        assert listener.connections() == 0
    findings = [(f["rule"], f["file"], f["line"], f["column"], f["message"]) for f in run.json()["findings"]]
    refused = "is remote; svclint does not let a kustomization make it connect to the network, so this kustomization is not built (give --allow-remote to allow it)"
    assert findings == [
        ("SVC009", "base/kustomization.yaml", 3, 5, f"not checked: resources entry '{listener.url}/remote.yaml' {refused}"),
        ("SVC009", "base/kustomization.yaml", 4, 5, f"not checked: resources entry '{listener.url}/org/repo//deploy?ref=main' {refused}"),
        ("SVC101", "plain.yaml", 6, 3, "Service default/plain selector app=nothing matches no pod template in namespace 'default'; there are no pod templates in namespace 'default'"),
    ]
    assert run.exit_code == 1


def test_a_config_file_cannot_allow_remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".svclint.yaml").write_text("allow-remote: true\n")
    (tmp_path / "plain.yaml").write_text(PLAIN)
    run = run_cli("check", ".")
    assert run.exit_code == 2
    assert run.stderr == f"svclint: error: {tmp_path / '.svclint.yaml'}:1: allow-remote: unknown key 'allow-remote'\n"


@pytest.fixture
def answering_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that answers 404 to everything and records the paths."""
    requested: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            requested.append(self.path)
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()


def test_allow_remote_on_the_command_line_lets_kustomize_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answering_server: tuple[str, list[str]]
) -> None:
    url, requested = answering_server
    monkeypatch.setenv("PATH", str(Path(_kubectl()).parent))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "kustomization.yaml").write_text(f"resources:\n  - {url}/remote.yaml\n")
    run = run_cli("check", "app", "--allow-remote")
    assert set(requested) == {"/remote.yaml"}
    assert "is remote; svclint does not let" not in run.stdout + run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("value", "remote"),
    [
        ("https://example.com/a.yaml", True),
        ("http://10.0.0.1/x", True),
        ("git@github.com:org/repo.git//dir", True),
        ("ssh://git@host/org/repo", True),
        ("git::https://host/org/repo", True),
        ("github.com/org/repo//dir?ref=v1", True),
        ("file:///etc/kubernetes", True),
        ("oci://registry/chart", True),
        ("../base", False),
        ("service.yaml", False),
        ("sub.dir/file.yaml", True),  # missing here and host-like: kustomize may try it as a repository
        ("- op: add\n  path: /x\n", False),
    ],
)
def test_what_counts_as_remote(tmp_path: Path, value: str, remote: bool) -> None:
    assert is_remote(value, str(tmp_path)) is remote


def test_an_existing_local_path_that_looks_like_a_host_is_local(tmp_path: Path) -> None:
    (tmp_path / "sub.dir").mkdir()
    (tmp_path / "sub.dir" / "file.yaml").write_text(LOCAL)
    assert not is_remote("sub.dir/file.yaml", str(tmp_path))


def test_every_field_kustomize_loads_from_is_checked_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "components:\n  - https://h/c\n"
        "patches:\n  - path: https://h/p.yaml\n  - patch: |-\n      - op: add\n"
        "openapi:\n  path: https://h/schema.json\n"
        "helmCharts:\n  - name: x\n    repo: https://charts.example.com\n"
        "transformers:\n  - https://h/t.yaml\n"
    )
    assert [(r.line, r.column, r.field, r.value) for r in remote_references(str(tmp_path))] == [
        (2, 5, "components", "https://h/c"),
        (4, 11, "patches[].path", "https://h/p.yaml"),
        (8, 9, "openapi.path", "https://h/schema.json"),
        (11, 11, "helmCharts[].repo", "https://charts.example.com"),
        (13, 5, "transformers", "https://h/t.yaml"),
    ]
