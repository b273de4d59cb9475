#!/usr/bin/env python3
"""Time ``svclint server``: how long after an edit the edited file's diagnostics arrive (issue 15).

Drives the real server over stdio with pygls' LSP client, in a generated corpus (default
10,000 objects, ``gen_corpus.py --seed 1``):

* ``startup``: from ``initialized`` to the end of the first check of the whole workspace;
* ``open``: ``didOpen`` of a file -> its diagnostics;
* ``edit``: ``didChange`` that changes data (a port number or a label value, alternately)
  -> the diagnostics of that file; then the other open files are re-checked (awaited,
  not timed) before the next edit;
* ``others``: ``didChange`` -> the server's "open files checked" (the follow-up pass).

``--edits`` files (default 20) are picked with a fixed seed among the files holding a
``port:`` or a label. The median and p90 of each go into docs/bench.md between
``<!-- server:begin -->`` and ``<!-- server:end -->`` with ``--write``.

    python benchmarks/bench_server.py --generator ../shared/bench/gen_corpus.py --objects 10000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import time

from lsprotocol import types
from pygls.lsp.client import LanguageClient

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BEGIN, END = "<!-- server:begin -->", "<!-- server:end -->"
PORT = re.compile(r"(\b(?:port|containerPort|targetPort): )(\d+)")
LABEL = re.compile(r"(\bapp(?:\.kubernetes\.io/name)?: )([a-z][a-z0-9-]*)")


def uri(path: str) -> str:
    return "file://" + os.path.abspath(path)


def edited(text: str, n: int) -> str | None:
    """``text`` with one port number or one label value changed (alternately), or None."""
    pattern = PORT if n % 2 == 0 else LABEL
    match = pattern.search(text) or (LABEL if pattern is PORT else PORT).search(text)
    if match is None:
        return None
    value = match.group(2)
    new = str(int(value) + 1) if value.isdigit() else value + "-x"
    return text[: match.start(2)] + new + text[match.end(2) :]


def pick(root: str, count: int, seed: int) -> list[str]:
    files = sorted(
        os.path.join(d, f) for d, _, names in os.walk(root) for f in names if f.endswith((".yaml", ".yml"))
    )
    random.Random(seed).shuffle(files)
    chosen = []
    for path in files:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if edited(text, 0) is not None:
            chosen.append(path)
        if len(chosen) == count:
            break
    return chosen


class Bench:
    def __init__(self) -> None:
        self.client = LanguageClient("bench-server", "1")
        self.events: dict[str, asyncio.Event] = {}
        self.logs: list[str] = []
        self.log_event = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: types.PublishDiagnosticsParams) -> None:
            event = self.events.get(params.uri)
            if event is not None:
                event.set()

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def log(params: types.LogMessageParams) -> None:
            self.logs.append(params.message)
            self.log_event.set()
            if params.type == types.MessageType.Error:
                print(params.message, file=sys.stderr)

    async def wait_log(self, text: str) -> str:
        """The first log message holding ``text`` (those before it are dropped)."""
        while True:
            found = next((message for message in self.logs if text in message), None)
            if found is not None:
                del self.logs[: self.logs.index(found) + 1]
                return found
            self.log_event.clear()
            await self.log_event.wait()

    async def run(self, root: str, files: list[str], extra: list[str]) -> dict[str, list[float]]:
        command = [sys.executable, "-m", "svclint", "server", "--isolated", *extra]
        await self.client.start_io(*command, cwd=root)
        await self.client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=uri(root))
        )
        times: dict[str, list[float]] = {"startup": [], "open": [], "edit": [], "server": [], "others": []}
        start = time.perf_counter()
        self.client.initialized(types.InitializedParams())
        await self.wait_log("svclint: workspace checked")
        times["startup"].append(time.perf_counter() - start)
        for n, path in enumerate(files):
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
            key = uri(path)
            event = self.events[key] = asyncio.Event()
            start = time.perf_counter()
            self.client.text_document_did_open(
                types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=key, language_id="yaml", version=1, text=text))
            )
            await event.wait()
            times["open"].append(time.perf_counter() - start)
            await self.wait_log("svclint: open files checked")
            new = edited(text, n)
            assert new is not None
            event.clear()
            start = time.perf_counter()
            self.client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    types.VersionedTextDocumentIdentifier(uri=key, version=2), [types.TextDocumentContentChangeWholeDocument(text=new)]
                )
            )
            await event.wait()
            times["edit"].append(time.perf_counter() - start)
            server_side = await self.wait_log(" checked in ")
            times["server"].append(float(server_side.rsplit(" checked in ", 1)[1].split()[0]) / 1000)
            await self.wait_log("svclint: open files checked")
            times["others"].append(time.perf_counter() - start)
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()
        return times


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def table(times: dict[str, list[float]], objects: int, files: int) -> str:
    rows = [
        f"Workspace: {objects:,} objects ({files:,} files, `gen_corpus.py --seed 1`); {len(times['edit'])} edits, each "
        "of a port number or a label value in a different file, the file open.",
        "",
        "| step | median | p90 | n |",
        "| --- | ---: | ---: | ---: |",
    ]
    names = {
        "startup": "startup: load and check everything",
        "open": "didOpen -> its diagnostics",
        "edit": "**didChange -> its diagnostics**",
        "server": "of which in the server: parse, graph, rules, diagnostics",
        "others": "didChange -> the other open files re-checked",
    }
    for key, label in names.items():
        values = times[key]
        rows.append(f"| {label} | {statistics.median(values) * 1000:,.0f} ms | {p90(values) * 1000:,.0f} ms | {len(values)} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generator", default=os.path.join(HERE, "gen_corpus.py"))
    parser.add_argument("--objects", type=int, default=10000)
    parser.add_argument("--dir", help="an existing corpus (default: generated under /tmp)")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="put the table into docs/bench.md")
    parser.add_argument("server_args", nargs="*", help="more arguments for `svclint server`")
    args = parser.parse_args()
    root = args.dir or f"/tmp/bench-server-{args.objects}"
    if not os.path.isdir(root):
        subprocess.run([sys.executable, args.generator, "--objects", str(args.objects), "--out", root, "--seed", "1"], check=True)
    root = os.path.abspath(root)
    files = pick(root, args.edits, args.seed)
    count = sum(1 for _, _, names in os.walk(root) for f in names if f.endswith((".yaml", ".yml")))
    times = asyncio.run(Bench().run(root, files, ["--no-cache", *args.server_args]))
    text = table(times, args.objects, count)
    print(text)
    if args.write:
        path = os.path.join(REPO, "docs", "bench.md")
        with open(path, encoding="utf-8") as handle:
            doc = handle.read()
        block = f"{BEGIN}\n{text}\n{END}"
        doc = doc[: doc.index(BEGIN)] + block + doc[doc.index(END) + len(END) :] if BEGIN in doc else doc.rstrip("\n") + "\n\n" + block + "\n"
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
