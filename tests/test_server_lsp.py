"""`svclint server` driven by a real LSP client over stdio (pytest-lsp).

The workspace is a copy of fixtures/server/app: a Deployment, its Service and a
NetworkPolicy in separate files, and typos.yaml with a Service of each fixable kind.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from svclint.server.protocol import path_to_uri

APP = Path(__file__).resolve().parent.parent / "fixtures" / "server" / "app"
TIMEOUT = 20


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "svclint", "server", "--no-cache"]),
)
async def client(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    shutil.copytree(APP, tmp_path / "app")
    root = tmp_path / "app"
    lsp_client.root = root  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=path_to_uri(str(root)),
            workspace_folders=[types.WorkspaceFolder(uri=path_to_uri(str(root)), name="app")],
        )
    )
    yield
    await lsp_client.shutdown_session()


def _uri(client: LanguageClient, name: str) -> str:
    return path_to_uri(str(client.root / name))  # type: ignore[attr-defined]


async def _diagnostics(client: LanguageClient, uri: str, predicate=lambda d: True) -> list[types.Diagnostic]:  # type: ignore[no-untyped-def]
    """The next diagnostics published for ``uri`` that satisfy ``predicate``."""

    async def wait() -> list[types.Diagnostic]:
        while True:
            if uri in client.diagnostics and predicate(client.diagnostics[uri]):
                return list(client.diagnostics[uri])
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), TIMEOUT)


def _open(client: LanguageClient, name: str) -> tuple[str, str]:
    uri = _uri(client, name)
    text = (client.root / name).read_text()  # type: ignore[attr-defined]
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text))
    )
    return uri, text


def _replace_all(client: LanguageClient, uri: str, old: str, new: str, version: int) -> str:
    """Send the whole new text (a full-document change) and return it."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=new)],
        )
    )
    return new


def _codes(diagnostics: list[types.Diagnostic]) -> list[tuple[str, int, int]]:
    return [(str(d.code), d.range.start.line + 1, d.range.start.character + 1) for d in diagnostics]


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply single-line edits (the server's code actions) to ``text``."""
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = edit.range.start, edit.range.end
        if start.line == len(lines):
            lines.append("")
        head = lines[start.line][: start.character]
        tail = lines[end.line][end.character :]
        lines[start.line : end.line + 1] = (head + edit.new_text + tail).split("\n")
    return "\n".join(lines)


@pytest.mark.asyncio
async def test_open_publishes_findings_with_exact_ranges_and_related(client: LanguageClient) -> None:
    uri, _ = _open(client, "typos.yaml")
    diagnostics = await _diagnostics(client, uri, lambda d: len(d) == 4)
    assert _codes(diagnostics) == [("SVC101", 7, 3), ("SVC104", 23, 7), ("SVC404", 34, 7), ("SVC008", 35, 7)]
    svc101 = diagnostics[0]
    assert svc101.severity == types.DiagnosticSeverity.Error
    assert svc101.source == "svclint"
    assert svc101.range.end == types.Position(6, 10)  # "selector" is underlined
    assert svc101.code_description == types.CodeDescription(
        "https://github.com/svclint/svclint/blob/main/rules/README.md#svc101-service-selects-nothing"
    )
    assert svc101.message.startswith("Service shop/web-typo selector app=wbe matches no pod template")
    related = svc101.related_information
    assert related is not None and len(related) == 1
    assert related[0].location.uri == _uri(client, "deployment.yaml")  # the Deployment in another file
    assert related[0].location.range.start == types.Position(12, 6)
    assert related[0].message == "nearest pod template: Deployment shop/web"
    assert diagnostics[2].severity == types.DiagnosticSeverity.Warning  # SVC404
    assert diagnostics[3].range.end == types.Position(34, 16)  # "targetport"


@pytest.mark.asyncio
async def test_cross_file_finding_and_edit_of_another_open_file(client: LanguageClient) -> None:
    service_uri, _ = _open(client, "service.yaml")
    assert await _diagnostics(client, service_uri) == []
    deployment_uri, text = _open(client, "deployment.yaml")
    await _diagnostics(client, deployment_uri)
    # the Deployment's pods lose the label: the Service in the other open file selects nothing
    _replace_all(client, deployment_uri, text, text.replace("app: web", "app: webx"), 2)
    diagnostics = await _diagnostics(client, service_uri, lambda d: any(x.code == "SVC101" for x in d))
    assert ("SVC101", 7, 3) in _codes(diagnostics)
    # and back: the finding goes
    _replace_all(client, deployment_uri, text, text, 3)
    await _diagnostics(client, service_uri, lambda d: not any(x.code == "SVC101" for x in d))


@pytest.mark.asyncio
async def test_code_actions_apply_the_did_you_mean_and_the_finding_goes(client: LanguageClient) -> None:
    uri, text = _open(client, "typos.yaml")
    diagnostics = await _diagnostics(client, uri, lambda d: len(d) == 4)
    version = 1
    for code, old, new in (("SVC101", "app: wbe", "app: web"), ("SVC104", "targetPort: htp", "targetPort: http"), ("SVC008", "targetport: 8080", "targetPort: 8080")):
        diagnostic = next(d for d in diagnostics if d.code == code)
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                types.TextDocumentIdentifier(uri), diagnostic.range, types.CodeActionContext([diagnostic])
            )
        )
        assert actions is not None
        fixes = [a for a in actions if isinstance(a, types.CodeAction) and a.title.startswith("Replace")]
        assert len(fixes) == 1, [a.title for a in actions]
        assert fixes[0].edit is not None and fixes[0].edit.changes is not None
        fixed = _apply(text, list(fixes[0].edit.changes[uri]))
        assert old not in fixed.split("\n")[diagnostic.range.start.line] and new in fixed
        version += 1
        text = _replace_all(client, uri, text, fixed, version)
        diagnostics = await _diagnostics(client, uri, lambda d, code=code: all(x.code != code for x in d))
    # targetPort 8080 now exists on the Service with the policy that admits only 8080: SVC404 goes too
    assert _codes(diagnostics) == []


@pytest.mark.asyncio
async def test_suppression_action_inserts_the_comment_and_silences(client: LanguageClient) -> None:
    uri, text = _open(client, "typos.yaml")
    diagnostics = await _diagnostics(client, uri, lambda d: len(d) == 4)
    svc404 = next(d for d in diagnostics if d.code == "SVC404")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), svc404.range, types.CodeActionContext([svc404]))
    )
    assert actions is not None
    suppress = next(a for a in actions if isinstance(a, types.CodeAction) and a.title.startswith("Suppress SVC404"))
    assert suppress.edit is not None and suppress.edit.changes is not None
    fixed = _apply(text, list(suppress.edit.changes[uri]))
    assert fixed.split("\n")[33:35] == ["    # svclint: ignore-next-line[SVC404]", "    - port: 82"]
    _replace_all(client, uri, text, fixed, 2)
    after = await _diagnostics(client, uri, lambda d: all(x.code != "SVC404" for x in d))
    assert [d.code for d in after] == ["SVC101", "SVC104", "SVC008"]


@pytest.mark.asyncio
async def test_hover_on_a_service_shows_endpoints_and_reachability(client: LanguageClient) -> None:
    uri, _ = _open(client, "service.yaml")
    await _diagnostics(client, uri)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line=3, character=9))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value.split("\n") == [
        "**Service shop/web** (ClusterIP)",
        "",
        "- port **80/TCP**, targetPort `http`",
        "  - Deployment shop/web: `http` -> pod port 8080",
        "  - reachable from: `shop/client[Deployment]`",
        "  - blocked: `ingress-controller`, `shop/web[Deployment]`",
        "  - from outside the cluster: deny",
        "",
        "`svclint explain CLIENT web` shows why, hop by hop.",
    ]
    nothing = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(_uri(client, "deployment.yaml")), types.Position(line=3, character=9))
    )
    assert nothing is None  # not a Service


@pytest.mark.asyncio
async def test_yaml_error_is_a_diagnostic_and_the_server_carries_on(client: LanguageClient) -> None:
    uri, text = _open(client, "service.yaml")
    await _diagnostics(client, uri)
    broken = text.replace("  selector:\n", "  selector: [\n", 1)
    _replace_all(client, uri, text, broken, 2)
    diagnostics = await _diagnostics(client, uri, lambda d: any(x.code == "SVC001" for x in d))
    assert diagnostics[0].code == "SVC001" and diagnostics[0].severity == types.DiagnosticSeverity.Error
    _replace_all(client, uri, broken, text, 3)
    assert await _diagnostics(client, uri, lambda d: not d) == []


@pytest.mark.asyncio
async def test_close_reverts_to_the_file_on_disk(client: LanguageClient) -> None:
    service_uri, _ = _open(client, "service.yaml")
    deployment_uri, text = _open(client, "deployment.yaml")
    await _diagnostics(client, deployment_uri)
    _replace_all(client, deployment_uri, text, text.replace("app: web", "app: webx"), 2)
    await _diagnostics(client, service_uri, lambda d: any(x.code == "SVC101" for x in d))
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(deployment_uri)))
    await _diagnostics(client, deployment_uri, lambda d: not d)  # cleared on close
    await _diagnostics(client, service_uri, lambda d: not any(x.code == "SVC101" for x in d))  # disk text again
