"""`svclint matrix` / `svclint explain` command-line behaviour: errors, filters, exit codes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

RENDER_ERROR = (
    "svclint: error: kustomization fixtures/kustomize/overlay: needs kustomize or kubectl on PATH "
    "to render the kustomization (or name one with --kustomize-bin)\n"
)


@pytest.mark.parametrize("args", [("matrix", "fixtures/kustomize/overlay"), ("explain", "a", "b", "fixtures/kustomize/overlay")])
def test_render_error_is_a_usage_error(args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    run = run_cli(*args)
    assert (run.exit_code, run.stdout, run.stderr) == (2, "", RENDER_ERROR)


SHOP = "fixtures/examples/shop"


def test_kind_qualified_names_match_exactly() -> None:
    run = run_cli("matrix", SHOP, "-f", "csv", "--to", "shop/api[Service]:80")
    assert (run.exit_code, run.stderr) == (0, "")
    assert run.stdout == (
        "source,destination,port,protocol,verdict\n"
        "external,shop/api[Service],80,TCP,allow\n"
        "ingress-controller,shop/api[Service],80,TCP,allow\n"
        "shop/api[Deployment],shop/api[Service],80,TCP,deny\n"
        "shop/frontend[Deployment],shop/api[Service],80,TCP,allow\n"
        "shop/postgres[StatefulSet],shop/api[Service],80,TCP,deny\n"
    )
    qualified = run_cli("explain", "shop/frontend[Deployment]", "api", SHOP)
    plain = run_cli("explain", "frontend", "api", SHOP)
    assert (qualified.exit_code, qualified.stderr) == (0, "")
    assert qualified.stdout == plain.stdout
    assert qualified.stdout.startswith("shop/frontend[Deployment] -> shop/api[Service]:80/TCP: allow\n")
    assert run_cli("explain", "frontend", "shop/api[Service]:80", SHOP).stdout == plain.stdout.replace(
        plain.stdout[plain.stdout.index("shop/frontend[Deployment] -> shop/api[Service]:9100"):plain.stdout.index("assumptions:")], ""
    )


def test_globs_treat_brackets_literally() -> None:
    run = run_cli("matrix", SHOP, "-f", "csv", "--from", "*/front*[Deployment]", "--to", "api-debug:9100")
    assert (run.exit_code, run.stdout) == (
        0,
        "source,destination,port,protocol,verdict\nshop/frontend[Deployment],shop/api-debug[Service],9100,TCP,deny\n",
    )
    # `[Deployment]` is no character class: `shop/frontend[D]` matches nothing
    miss = run_cli("matrix", SHOP, "-f", "csv", "--from", "shop/frontend[D]")
    assert miss.exit_code == 2


PLATFORM = "fixtures/scenarios/platform"
FORMATS = ["table", "csv", "json", "markdown", "dot", "connlist"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_filters_matching_nothing_are_usage_errors_in_every_format(fmt: str, tmp_path: Path) -> None:
    run = run_cli("matrix", "-f", fmt, "-n", "nosuchns", SHOP)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == "svclint: error: --namespace nosuchns: the filters match no (source, Service port) cell\n"
    # valid alone, nothing together: api is in shop, the namespace is not
    both = run_cli("matrix", "-f", fmt, "--to", "api", "-n", "kube-system", SHOP)
    assert (both.exit_code, both.stdout) == (2, "")
    assert both.stderr == "svclint: error: --to api --namespace kube-system: the filters match no (source, Service port) cell\n"


def test_namespace_keeps_source_or_destination_in_every_format() -> None:
    csv = run_cli("matrix", "-f", "csv", "-n", "monitoring", PLATFORM)
    assert csv.exit_code == 0
    cells = [tuple(line.split(",")[:4]) for line in csv.stdout.splitlines()[1:]]
    assert len(cells) == 14
    assert all(c[0].startswith("monitoring/") or c[1].startswith("monitoring/") for c in cells)
    payload = run_cli("matrix", "-f", "json", "-n", "monitoring", PLATFORM).json()
    assert [(c["source"], c["destination"], str(c["port"]), c["protocol"]) for c in payload["cells"]] == cells
    table = run_cli("matrix", "-f", "table", "-n", "monitoring", PLATFORM)
    assert table.exit_code == 0
    grid = table.stdout.split("\n\n", 1)[0].splitlines()[1:]
    assert grid == [
        "data/postgres[StatefulSet] (+3)    ·    ·    ·    ·    ✓    ·    ·",
        "external (+2)                      ·    ·    ·    ·    ✗    ·    ·",
        "monitoring/prometheus[Deployment]  ✗    ✗    ✓    ✓    ✓    ✗    ✗",
    ]
    assert "  · neither end in --namespace\n" in table.stdout
    markdown = run_cli("matrix", "-f", "markdown", "-n", "monitoring", PLATFORM)
    assert "| `monitoring/prometheus[Deployment]` | deny | deny | allow | allow | allow | deny | deny |\n" in markdown.stdout
    assert "| `external`<br>`web/checkout[Deployment]`<br>`web/storefront[Deployment]` |  |  |  |  | deny |  |  |\n" in markdown.stdout


def test_connlist_filters_share_the_matrix_semantics() -> None:
    external = run_cli("matrix", "-f", "connlist", "--from", "external", "fixtures/scenarios/shop")
    assert (external.exit_code, external.stdout) == (0, "203.0.113.0-203.0.113.255[External] => shop/admin[Deployment] : TCP 3000\n")
    controller = run_cli("matrix", "-f", "connlist", "--from", "ingress-controller", "-n", "shop", "fixtures/scenarios/shop")
    assert (controller.exit_code, controller.stdout) == (0, "{ingress-controller} => shop/frontend[Deployment] : TCP 8080\n")
    # --to SVC[:PORT]: lines to the endpoint workloads of that Service port
    to = run_cli("matrix", "-f", "connlist", "--to", "api:80", SHOP)
    assert (to.exit_code, to.stdout) == (
        0,
        "shop/frontend[Deployment] => shop/api[Deployment] : TCP 9090\n{ingress-controller} => shop/api[Deployment] : TCP 9090\n",
    )
    # a Service port that does not exist is rejected like in every other format
    bad_port = run_cli("matrix", "-f", "connlist", "--to", "api:81", SHOP)
    assert (bad_port.exit_code, bad_port.stdout, bad_port.stderr) == (2, "", "svclint: error: --to api:81 matches no Service port\n")
    none = run_cli("matrix", "-f", "connlist", "--from", "postgres", "--to", "api", SHOP)
    assert (none.exit_code, none.stdout, none.stderr) == (2, "", "svclint: error: --from postgres --to api: the filters match no connlist line\n")


@pytest.mark.parametrize("fmt", FORMATS)
def test_filter_errors_come_before_any_output(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / "matrix.out"
    target.write_text("previous\n", encoding="utf-8")
    run = run_cli("matrix", "-f", fmt, "--from", "nope", "-o", str(target), SHOP)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == "svclint: error: --from nope matches no workload (nor external / ingress-controller)\n"
    assert target.read_text(encoding="utf-8") == "previous\n"
    stdout = run_cli("matrix", "-f", fmt, "--to", "nothing", SHOP)
    assert (stdout.exit_code, stdout.stdout, stdout.stderr) == (2, "", "svclint: error: --to nothing matches no Service port\n")


class _BoundedOnly(io.BytesIO):
    """Standard input that refuses an unbounded read."""

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and size >= 0, "standard input read without a limit"
        return super().read(size)


@pytest.mark.parametrize("args", [("matrix", "-", "-f", "csv"), ("explain", "external", "x", "-")])
def test_standard_input_is_bounded(args: tuple[str, ...], tmp_path: Path) -> None:
    config = tmp_path / "svclint.yaml"
    config.write_text("limits:\n  max-document-bytes: 1024\n")
    run = run_cli(*args, "--config", str(config), input=_BoundedOnly(b"a: " + b"x" * 5000))  # type: ignore[arg-type]
    assert run.exit_code == (0 if args[0] == "matrix" else 2)
    assert run.stderr.startswith(
        "svclint: warning: 1 document(s) could not be read and are left out; `svclint check` shows why\n"
    )


@pytest.mark.parametrize(
    "destination,problem",
    [
        ("api:", "'api:' has an empty port after ':' (leave out ':' for every port)"),
        ("shop/api[Service]:", "'shop/api[Service]:' has an empty port after ':' (leave out ':' for every port)"),
        ("api:80:1", "'api:80:1' has more than one ':' (expected SVC[:PORT], one port)"),
        (":80", "':80' names no Service (expected SVC[:PORT], e.g. api:80)"),
        ("api:0", "'api:0': port 0 is out of range 1-65535"),
    ],
)
def test_malformed_destination_is_a_precise_usage_error(destination: str, problem: str) -> None:
    run = run_cli("explain", "external", destination, SHOP)
    assert (run.exit_code, run.stdout, run.stderr) == (2, "", f"svclint: error: DESTINATION {problem}\n")
    matrix = run_cli("matrix", "--to", destination, SHOP)
    assert (matrix.exit_code, matrix.stdout, matrix.stderr) == (2, "", f"svclint: error: --to {problem}\n")


def test_broken_pipe_on_stdout_exits_quietly() -> None:
    """`svclint matrix ... | head -1`: the reader went away; exit 0, nothing on stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "svclint", "matrix", "-f", "csv", PLATFORM],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the matrix is written: every write hits a closed pipe
    stderr = process.stderr.read()
    assert (process.wait(timeout=120), stderr) == (0, b"")


def test_broken_pipe_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from svclint.routing import formats

    def broken(model: object, selection: object, out: io.TextIOBase) -> None:
        out.write("source,destination,port,protocol,verdict\n")
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setitem(formats._SELECTION_WRITERS, "csv", broken)
    run = run_cli("matrix", "-f", "csv", SHOP)
    assert (run.exit_code, run.stderr) == (0, "")
