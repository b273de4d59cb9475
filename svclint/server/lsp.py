"""The language server: pygls over stdio, publishing svclint's findings as diagnostics.

An edit is applied to the in-memory workspace (``workspace``) after a short pause, and the
edited file is checked first with a focus on it, so its diagnostics come back fast; then
the other open files are checked (their findings may rest on the edited file: a Service
in one, its Deployment in the other) and re-published when they changed. A save reloads
the workspace from disk when it must (a file of a kustomization or a chart, a new file).
Nothing the input does stops the server: an error in svclint is logged to the client
(window/logMessage) and the server carries on.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from svclint import __version__
from svclint.findings import Finding
from svclint.lint.catalog import Catalog
from svclint.lint.report_data import rule_help_uri
from svclint.parallel import gc_paused
from svclint.server import protocol
from svclint.server.hover import object_at, service_hover
from svclint.server.workspace import Workspace
from svclint.settings import Settings

Configure = Callable[[], tuple[Settings, Catalog]]  # settings and catalog, run in the root
FOCUS_DELAY = 0.03  # seconds of quiet before the edited file is checked (a burst of keys: once)
OTHERS_DELAY = 0.25  # then the other open files
YAML_LANGUAGES = ("yaml", "helm")


class SvclintServer(LanguageServer):
    """The server's state: the workspace, the open files, what was published."""

    def __init__(self, configure: Configure) -> None:
        super().__init__("svclint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.configure = configure
        self.state: Workspace | None = None
        self.open: dict[str, str] = {}  # fs path -> uri, of the open documents
        self.changed: set[str] = set()  # fs paths edited since they were last applied
        self.published: dict[str, list[types.Diagnostic]] = {}  # uri -> last diagnostics
        self.generation = 0  # counts edits: a pass started before the last edit gives way
        self.help_uris: dict[str, str | None] = {}
        self.ready = asyncio.Event()

    # -- helpers ------------------------------------------------------------------------------

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def lines_of(self, path: str) -> list[str]:
        """The text of a display path as the client sees it: the open buffer, else the file."""
        assert self.state is not None
        fs_path = os.path.join(self.state.root, path)
        uri = self.open.get(fs_path)
        if uri is not None:
            return protocol.split_text(self.workspace.get_text_document(uri).source)
        try:
            with open(fs_path, encoding="utf-8", errors="replace") as handle:
                return protocol.split_text(handle.read())
        except OSError:
            return []

    def uri_of(self, path: str) -> str:
        assert self.state is not None
        return protocol.path_to_uri(os.path.join(self.state.root, path))

    def help_uri(self, rule_id: str) -> str | None:
        if rule_id not in self.help_uris:
            assert self.state is not None
            rule = next((r for r in self.state.catalog if r.id == rule_id), None)
            self.help_uris[rule_id] = rule_help_uri(rule) if rule is not None else None
        return self.help_uris[rule_id]

    def publish(self, findings: dict[str, list[Finding]], only_changed: bool = False) -> None:
        """Diagnostics of the open files among ``findings`` (display paths); a rule that
        crashed is named in the log, as ``check`` names it (its findings are missing)."""
        assert self.state is not None
        for crash in self.state.crashes:
            self.log(f"svclint: rule {crash.rule_id} ({crash.rule_name}) crashed: {crash.error}\n{crash.traceback}", types.MessageType.Error)
        self.state.crashes.clear()
        for path, found in findings.items():
            uri = self.open.get(os.path.join(self.state.root, path))
            if uri is None:
                continue
            lines = self.lines_of(path)
            diagnostics = [
                protocol.diagnostic(f, lines, self.lines_of, self.uri_of, self.help_uri(f.rule_id)) for f in found
            ]
            if only_changed and self.published.get(uri) == diagnostics:
                continue
            self.published[uri] = diagnostics
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def guarded(self, what: str, action: Callable[[], None]) -> None:
        """Run ``action``; an error in svclint is logged, never the end of the server."""
        try:
            action()
        except Exception as error:  # noqa: BLE001 - the server outlives a bad input or a bug
            self.log(f"svclint: {what} failed: {type(error).__name__}: {error}\n{traceback.format_exc()}", types.MessageType.Error)

    # -- loading and checking -----------------------------------------------------------------

    def start(self, root: str) -> None:
        """Configure in the root and load the workspace as ``svclint check`` would."""
        os.chdir(root)
        settings, catalog = self.configure()
        self.state = Workspace(root, settings, catalog)
        self.state.reload()
        self.log(f"svclint: loaded {len(self.state.parts)} files of {root}", types.MessageType.Info)

    def apply_edits(self) -> set[str]:
        """Put the edited buffers into the workspace; their display paths."""
        assert self.state is not None
        paths = set()
        for fs_path in sorted(self.changed):
            uri = self.open.get(fs_path)
            text = self.workspace.get_text_document(uri).source if uri is not None else None
            self.state.set_text(fs_path, text)
            if self.state.knows(fs_path):
                paths.add(self.state.path_of(fs_path))
        self.changed.clear()
        return paths

    def open_paths(self) -> set[str]:
        assert self.state is not None
        return {self.state.path_of(fs) for fs in self.open if self.state.knows(fs)}

    def check_edited(self) -> None:
        """The edited files first (their diagnostics are awaited), with a focus on them."""
        assert self.state is not None
        start = time.perf_counter()
        with gc_paused():  # the collector's pass over what the check left waits until the diagnostics are out
            edited = self.apply_edits()
            if edited:
                self.publish(self.state.check(edited))
            elapsed = time.perf_counter() - start
        if edited:
            self.log(f"svclint: {', '.join(sorted(edited))} checked in {elapsed * 1000:.0f} ms")

    def check_others(self, skip: Iterable[str] = ()) -> None:
        """The other open files: an edit may have changed their findings."""
        assert self.state is not None
        others = self.open_paths() - set(skip)
        if others:
            self.publish(self.state.check(others), only_changed=True)
        self.log("svclint: open files checked")

    def check_all(self) -> None:
        """Every file (after a load): publishes the open ones."""
        assert self.state is not None
        self.apply_edits()
        self.publish(self.state.check())
        self.log("svclint: workspace checked")

    async def after_edit(self, fs_path: str) -> None:
        """Debounced: the edited file after FOCUS_DELAY, the other open files after OTHERS_DELAY."""
        self.changed.add(fs_path)
        self.generation += 1
        generation = self.generation
        await self.ready.wait()
        await asyncio.sleep(FOCUS_DELAY)
        if generation != self.generation:
            return  # a later edit runs the checks
        assert self.state is not None
        edited = {self.state.path_of(fs) for fs in self.changed if self.state.knows(fs)}
        self.guarded("checking the edited file", self.check_edited)
        await asyncio.sleep(OTHERS_DELAY)
        if generation == self.generation:
            self.guarded("checking the open files", lambda: self.check_others(edited))

    async def after_save(self, fs_path: str) -> None:
        """A file that is not a plain file of the workspace (a kustomization's, a new one):
        load again from disk, then check everything."""
        assert self.state is not None
        if self.state.knows(fs_path):
            await self.after_edit(fs_path)
            return
        self.generation += 1
        generation = self.generation
        await asyncio.sleep(OTHERS_DELAY)
        if generation == self.generation:
            self.guarded("reloading the workspace", self.reload_and_check)

    def reload_and_check(self) -> None:
        assert self.state is not None
        self.state.reload()
        self.check_all()


def _path(uri: str) -> str | None:
    path = protocol.uri_to_path(uri)
    return path if path is not None and path.endswith((".yaml", ".yml")) else None


def build_server(configure: Configure) -> SvclintServer:
    """The server with its handlers; ``configure`` gives the settings and rules in the root."""
    server = SvclintServer(configure)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: SvclintServer, params: types.InitializedParams) -> None:
        root = ls.workspace.root_path or os.getcwd()
        ls.guarded("loading the workspace", lambda: ls.start(root))
        if ls.state is None:  # a bad configuration: said once, nothing to check
            ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, "svclint: cannot load the workspace (see the log)"))
            return
        ls.changed.update(ls.open)
        ls.guarded("checking the workspace", ls.check_all)
        ls.ready.set()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: SvclintServer, params: types.DidOpenTextDocumentParams) -> None:
        fs_path = _path(params.text_document.uri)
        if fs_path is None:
            return
        ls.open[fs_path] = params.text_document.uri
        await ls.after_edit(fs_path)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: SvclintServer, params: types.DidChangeTextDocumentParams) -> None:
        fs_path = _path(params.text_document.uri)
        if fs_path is not None:
            await ls.after_edit(fs_path)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: SvclintServer, params: types.DidSaveTextDocumentParams) -> None:
        fs_path = _path(params.text_document.uri)
        if fs_path is not None:
            await ls.after_save(fs_path)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: SvclintServer, params: types.DidCloseTextDocumentParams) -> None:
        fs_path = _path(params.text_document.uri)
        if fs_path is None:
            return
        uri = ls.open.pop(fs_path, None)
        if uri is not None:
            ls.published.pop(uri, None)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        await ls.after_edit(fs_path)  # back to the text on disk; the open files re-checked

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: SvclintServer, params: types.DidChangeWatchedFilesParams) -> None:
        if ls.state is not None:
            ls.generation += 1
            ls.guarded("reloading the workspace", ls.reload_and_check)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: SvclintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        fs_path = _path(params.text_document.uri)
        if fs_path is None or ls.state is None:
            return None
        path = ls.state.path_of(fs_path)
        findings = ls.state.findings([path])[path]
        lines = ls.lines_of(path)
        shown = {
            protocol.finding_key(f): d for f, d in zip(findings, ls.published.get(params.text_document.uri, []))
        } if len(findings) == len(ls.published.get(params.text_document.uri, [])) else {}
        return protocol.code_actions(params.text_document.uri, lines, findings, params.range, shown)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: SvclintServer, params: types.HoverParams) -> types.Hover | None:
        fs_path = _path(params.text_document.uri)
        if fs_path is None or ls.state is None:
            return None
        result: list[types.Hover] = []

        def find() -> None:
            assert ls.state is not None
            path = ls.state.path_of(fs_path)
            graph = ls.state.graph_of(path)
            if graph is None:
                return
            obj = object_at(graph, path, params.position.line + 1)
            if obj is None or obj.kind != "Service":
                return
            text = service_hover(graph, ls.state.settings, obj)
            result.append(types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text)))

        ls.guarded("hover", find)
        return result[0] if result else None

    return server


def serve(configure: Configure) -> None:
    """Serve over stdin/stdout until the client says exit.

    The protocol gets its own file objects on the two descriptors: pygls reads stdin in a
    thread, and a forked parsing worker closes ``sys.stdin`` as it starts, which would wait
    forever for the lock that thread holds. ``sys.stdout`` goes to stderr, so nothing printed
    by mistake corrupts the protocol. The garbage collector, off for a CLI run, is on again:
    each check leaves the previous graph behind (the workspace pauses it while checking)."""
    gc.enable()
    stdin = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    stdout = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - for the life of the process
    sys.stdout = sys.stderr
    build_server(configure).start_io(stdin, stdout)
