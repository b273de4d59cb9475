"""Hostile and broken input: every file gets findings or a located error, nothing crashes or
hangs, and the findings of every other file and document survive.

Each case is checked together with fixtures/bad-input/neighbour.yaml (a Service with an
SVC101 and an SVC201); most case files also end with such a Service. ``# expect:`` markers
give the exact (file, line, rule) multiset; HOSTILE gives the exact message and column of
the finding the hostile part must produce.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from svclint.report import FORMATTERS

from .conftest import FIXTURES, REPO, expected_markers, finding_keys, run_cli

BAD = FIXTURES / "bad-input"
NEIGHBOUR = BAD / "neighbour.yaml"
STATIC = sorted(p for p in BAD.iterdir() if p.name not in ("neighbour.yaml", "generate.py") and not p.name.startswith("."))

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # never printed: \t and \n only

# file -> (line, column, rule, message) of each finding the hostile part produces.
HOSTILE: dict[str, list[tuple[int, int, str, str]]] = {
    "alias-bomb.yaml": [
        (12, 6, "SVC001", "aliases of &e expand this document to more than 1000000 nodes (an alias bomb?); limits.max-expanded-nodes")
    ],
    "anchors-aliases.yaml": [
        (53, 13, "SVC001", "alias *labels is not defined in this document (anchors do not cross ---)"),
        (55, 12, "SVC001", "an alias refers to the node that contains it"),
    ],
    "binary.yaml": [(1, 1, "SVC001", "binary file (contains NUL bytes), not YAML text")],
    "bom.yaml": [],
    "control-char.yaml": [
        (7, 10, "SVC001", "character U+0001 is not allowed in YAML (control characters are not allowed); remove it")
    ],
    "directory.yaml": [],
    "duplicate-keys.yaml": [
        (13, 7, "SVC001", 'mapping key "nodePort" already defined; kubectl rejects duplicate keys'),
        (14, 3, "SVC001", 'mapping key "type" already defined; kubectl rejects duplicate keys'),
    ],
    "empty.yaml": [],
    "latin1.yaml": [
        (5, 12, "SVC001", "not valid UTF-8: byte 0xe9 at line 5, column 12; this document is skipped (save the file as UTF-8)")
    ],
    "line-separators.yaml": [
        (8, 8, "SVC001", "character U+001C is not allowed in YAML (control characters are not allowed); remove it"),
        (15, 8, "SVC001", "character U+000C is not allowed in YAML (control characters are not allowed); remove it"),
        (29, 1, "SVC001", "did not find expected node content (while parsing a flow node)"),
    ],
    "latin1-last-line.yaml": [
        (17, 12, "SVC001", "not valid UTF-8: byte 0xe9 at line 17, column 12; this document is skipped (save the file as UTF-8)")
    ],
    "merge-keys.yaml": [(25, 9, "SVC001", "merge key << needs a mapping or a list of mappings")],
    "not-objects.yaml": [],
    "odd-keys.yaml": [
        (11, 3, "SVC004", "unknown field spec.null; spec has no such field (Service v1, Kubernetes 1.N schema)"),
        (12, 3, "SVC004", "unknown field spec.true; spec has no such field (Service v1, Kubernetes 1.N schema)"),
        (13, 3, "SVC004", 'unknown field spec["1.5"]; spec has no such field (Service v1, Kubernetes 1.N schema)'),
        (14, 3, "SVC001", 'mapping key "null" already defined; kubectl rejects duplicate keys'),
    ],
    "only-separator.yaml": [],
    "only-separators.yaml": [],
    "syntax-nested.yaml": [
        (24, 10, "SVC001", "did not find expected '-' indicator (while parsing a block collection)")
    ],
    "syntax-top-level.yaml": [(4, 10, "SVC001", "mapping values are not allowed in this context")],
    "syntax-unclosed-flow.yaml": [
        (9, 20, "SVC001", "did not find expected ',' or ']' (while parsing a flow sequence)")
    ],
    "syntax-unclosed-quote.yaml": [
        (7, 9, "SVC001", "found unexpected end of stream (while scanning a quoted scalar)")
    ],
    "tabs.yaml": [
        (
            5,
            1,
            "SVC001",
            "found character that cannot start any token (while scanning for the next token); "
            "YAML does not allow tabs for indentation, use spaces",
        )
    ],
    "tags.yaml": [
        (31, 7, "SVC002", "spec.ports[1].port must be an integer, not the string 'eighty'"),
        (31, 13, "SVC001", "cannot read 'eighty' as !!int; remove the tag or fix the value"),
        (33, 7, "SVC002", "spec.ports[2].port must be an integer, not the number 81.0"),
        (37, 17, "SVC001", "cannot read 'maybe' as !!bool; remove the tag or fix the value"),
    ],
    "template-after-separator.yaml": [
        (
            7,
            9,
            "SVC005",
            "unrendered template syntax '{{ .Release.Name }}': this is a Helm/Go template, not a manifest; "
            "render it first (helm template CHART | svclint check -) and check the output",
        )
    ],
    "terminal-escapes.yaml": [],
    "utf16.yaml": [(1, 1, "SVC001", "UTF-16 text (byte order mark); svclint reads UTF-8: re-save the file as UTF-8")],
    "wrong-types.yaml": [
        (4, 1, "SVC002", "metadata of this Service must be a mapping with a name, not null"),
        (10, 1, "SVC002", "spec must be a mapping, not a list"),
        (19, 3, "SVC002", "spec.ports must be a list, not the string '80'"),
        (26, 3, "SVC002", "spec.selector must be a mapping, not a list"),
        (38, 7, "SVC002", "spec.ports[0].port must be an integer, not a mapping"),
        (44, 3, "SVC002", "metadata.labels must be a mapping of strings"),
        (66, 7, "SVC002", "spec.template.spec.containers must be a list, not a mapping"),
        (73, 3, "SVC002", "spec.selector must be a mapping, not the string 'app=web'"),
        (76, 1, "SVC002", "kind must be a non-empty string: not a complete Kubernetes object"),
        (78, 1, "SVC002", "apiVersion must be a non-empty string on this Service"),
        (84, 3, "SVC002", "metadata.name (or generateName) is required on this Service"),
        (90, 3, "SVC002", "metadata.namespace must be a string"),
    ],
}
# Rules (off by default) a case needs.
# odd-keys.yaml tests SVC004 on keys that are not strings; SVC008 (which SVC004 defers to) is tests/test_unknown_field.py's.
EXTRA_ARGS: dict[str, tuple[str, ...]] = {
    "odd-keys.yaml": ("--extend-select", "SVC004", "--ignore", "SVC008"),
    # nothing to check: exit 2 without --allow-empty (tests/test_units.py), which is not the point here
    **dict.fromkeys(("empty.yaml", "only-separator.yaml", "only-separators.yaml"), ("--allow-empty",)),
}
# Files whose hostile finding cannot carry a marker (binary, UTF-16).
UNMARKED = {"binary.yaml": [(1, "SVC001")], "utf16.yaml": [(1, "SVC001")]}


def _files(case: Path) -> list[Path]:
    return sorted(case.rglob("*.yaml")) if case.is_dir() else [case]


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _input_findings(payload: dict[str, Any]) -> list[tuple[str, int, int, str, str]]:
    """The input rules' findings; the schema version SVC004 names is the installed one."""
    return sorted(
        (f["file"], f["line"], f["column"], f["rule"], re.sub(r"Kubernetes 1\.\d+ schema", "Kubernetes 1.N schema", f["message"]))
        for f in payload["findings"]
        if f["rule"] in ("SVC001", "SVC002", "SVC004", "SVC005")
    )


def test_every_static_case_has_expectations() -> None:
    assert sorted(p.name for p in STATIC) == sorted(HOSTILE)


@pytest.mark.parametrize("case", STATIC, ids=[p.name for p in STATIC])
def test_static_case_next_to_a_bad_service(case: Path) -> None:
    run = run_cli("check", _rel(case), _rel(NEIGHBOUR), "--isolated", "--format", "json", *EXTRA_ARGS.get(case.name, ()))
    assert run.exit_code == 1, run.stderr  # the neighbour's errors, never 2
    assert run.stderr == ""
    payload = run.json()
    expected = expected_markers([*_files(case), NEIGHBOUR])
    for line, rule in UNMARKED.get(case.name, []):
        expected[(_rel(case), line, rule)] += 1
    assert finding_keys(payload) == expected
    hostile_file = _rel(_files(case)[0])
    assert _input_findings(payload) == sorted((hostile_file, *h) for h in HOSTILE[case.name])
    # The neighbour's findings, exactly where they were.
    assert {(f["line"], f["rule"]) for f in payload["findings"] if f["file"] == _rel(NEIGHBOUR)} == {
        (8, "SVC101"),
        (12, "SVC201"),
    }


@pytest.mark.parametrize("case", STATIC, ids=[p.name for p in STATIC])
def test_static_case_alone_exit_code(case: Path) -> None:
    run = run_cli("check", _rel(case), "--isolated", "--format", "json", *EXTRA_ARGS.get(case.name, ()))
    has_error = bool(expected_markers(_files(case))) or case.name in UNMARKED
    assert run.exit_code == (1 if has_error else 0), run.stderr


@pytest.mark.parametrize("fmt", sorted(FORMATTERS))
def test_every_formatter_survives_the_whole_corpus(fmt: str) -> None:
    cases = [_rel(p) for p in STATIC]
    run = run_cli("check", *cases, _rel(NEIGHBOUR), "--isolated", "--format", fmt)
    assert run.exit_code == 1, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    if fmt in ("json", "sarif"):
        json.loads(run.stdout)
    assert not CONTROL.search(run.stdout), CONTROL.search(run.stdout)
    again = run_cli("check", *cases, _rel(NEIGHBOUR), "--isolated", "--format", fmt)
    assert again.stdout == run.stdout


def test_terminal_escapes_in_values_are_escaped_in_messages() -> None:
    run = run_cli("check", _rel(BAD / "terminal-escapes.yaml"), "--isolated", "--format", "json")
    findings = {f["rule"]: f["message"] for f in run.json()["findings"]}
    assert sorted(findings) == ["SVC101", "SVC211", "SVC216"]
    assert not any(CONTROL.search(message) for message in findings.values())
    assert findings["SVC101"].startswith(
        "Service default/evil\\x1b]0;pwned\\x07 selector app=web\\x1b[2J matches no pod template"
    )


# -- generated inputs (too large or too odd to commit) -------------------------------------


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bad_input_generate", BAD / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATE = _generator()


def _after_service_keys(path: Path, first_line: int) -> Counter[tuple[str, int, str]]:
    """The SVC101 and SVC201 of ``after_service`` written at ``first_line``."""
    return Counter({(str(path), first_line + 6, "SVC101"): 1, (str(path), first_line + 10, "SVC201"): 1})


def _check_json(*paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, dict[str, Any]]:
    run = run_cli("check", *map(str, paths), "--isolated", "--format", "json", *extra)
    assert "Traceback" not in run.stderr
    return run.exit_code, run.json()


@pytest.mark.parametrize(
    ("generator", "line", "column"),
    [
        ("deep_flow", 1, 203),
        ("deep_flow_mappings", 1, 801),
        ("deep_block", 1, 401),
        ("deep_indent", 201, 201),
        ("deep_unclosed", 1, 201),
    ],
)
def test_deep_nesting_is_one_finding_and_the_next_document_still_counts(
    tmp_path: Path, generator: str, line: int, column: int
) -> None:
    path = getattr(GENERATE, generator)(tmp_path)
    code, payload = _check_json(path, NEIGHBOUR)
    assert code == 1
    assert _input_findings(payload) == [(str(path), line, column, "SVC001", "nesting deeper than 200 levels")]
    after = path.read_text().count("\n") - 10  # after_service is the last 11 lines
    expected = _after_service_keys(path, after) + expected_markers([NEIGHBOUR]) + Counter({(str(path), line, "SVC001"): 1})
    assert finding_keys(payload) == expected


@pytest.mark.parametrize("brk", sorted(GENERATE.LINE_BREAKS))
def test_deep_nesting_after_any_yaml_line_break(tmp_path: Path, brk: str) -> None:
    path = GENERATE.deep_block_after_break(tmp_path, brk)
    code, payload = _check_json(path)
    assert code == 1
    assert _input_findings(payload) == [(str(path), 2, 401, "SVC001", "nesting deeper than 200 levels")]
    assert finding_keys(payload) == Counter({(str(path), 2, "SVC001"): 1}) + _after_service_keys(path, 4)


def test_deep_json_is_one_finding_and_brackets_in_strings_do_not_count(tmp_path: Path) -> None:
    deep = GENERATE.deep_json(tmp_path)
    shallow = GENERATE.shallow_json(tmp_path)
    code, payload = _check_json(deep, shallow, NEIGHBOUR)
    assert code == 1
    # {"kind"...: the List is level 1, "items" opens level 2: the 200th "[" is level 201.
    column = deep.read_text().index("[" * 200) + 200
    assert _input_findings(payload) == [(str(deep), 1, column, "SVC001", "nesting deeper than 200 levels")]
    # The 600 Services are read (each selects nothing: one SVC101 apiece), with no input problem.
    assert sum(1 for f in payload["findings"] if f["file"] == str(shallow) and f["rule"] == "SVC101") == 600
    assert payload["summary"]["objects"] == 601


def test_ten_megabyte_strings_are_read_and_messages_stay_short(tmp_path: Path) -> None:
    path = GENERATE.ten_mb_string(tmp_path)
    code, payload = _check_json(path)
    assert code == 1
    # A 10 MB selector value is no label value either (SVC216).
    invalid = Counter({(str(path), 13, "SVC101"): 1, (str(path), 14, "SVC216"): 1})
    assert finding_keys(payload) == invalid + _after_service_keys(path, 18)
    huge = next(f for f in payload["findings"] if f["line"] == 13)
    assert huge["message"].startswith("Service default/huge-selector selector app=xxxx")
    assert huge["message"].endswith("characters shortened]")
    assert len(huge["message"]) < 1100


def test_a_hundred_thousand_tiny_documents(tmp_path: Path) -> None:
    path = GENERATE.many_documents(tmp_path)
    code, payload = _check_json(path)
    assert code == 1
    assert payload["summary"]["skipped_documents"] == 100_000
    assert finding_keys(payload) == _after_service_keys(path, 200_002)


def test_python_tags_are_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed.txt"
    path = GENERATE.python_tag(tmp_path, marker)
    # The payload is live: PyYAML's unsafe loader does run it (in a child process).
    unsafe = "import sys, yaml; list(yaml.unsafe_load_all(open(sys.argv[1])))"
    subprocess.run([sys.executable, "-c", unsafe, str(path)], check=False, capture_output=True, timeout=60)
    assert marker.exists(), "the exploit fixture no longer exploits an unsafe loader"
    marker.unlink()
    code, payload = _check_json(path)
    assert not marker.exists()
    assert code == 1
    # The tagged values load as lists, and ConfigMap data values must be strings (SVC008).
    not_strings = Counter({(str(path), line, "SVC008"): 1 for line in (6, 7, 8)})
    assert finding_keys(payload) == _after_service_keys(path, 10) + not_strings


def test_symlink_loops_are_reported_and_survived(tmp_path: Path) -> None:
    root = GENERATE.symlink_loops(tmp_path)
    code, payload = _check_json(root)
    assert code == 1
    loops = [(f["file"], f["line"], f["message"]) for f in payload["findings"] if f["rule"] == "SVC001"]
    assert [(Path(file).name, line) for file, line, _ in loops] == [("a.yaml", 1), ("b.yaml", 1)]
    assert all(message.startswith("cannot read file: ") for _, _, message in loops)
    service = root / "sub" / "service.yaml"
    assert Counter(k for k in finding_keys(payload).elements() if k[2] != "SVC001") == _after_service_keys(service, 1)
    # An explicit path that is a loop is an error finding too, not a usage error.
    code, payload = _check_json(root / "a.yaml", NEIGHBOUR)
    assert code == 1
    assert [f["rule"] for f in payload["findings"] if f["file"] == str(root / "a.yaml")] == ["SVC001"]


def test_a_fifo_named_yaml_in_a_directory_does_not_block(tmp_path: Path) -> None:
    root = GENERATE.fifo(tmp_path)
    command = [sys.executable, "-m", "svclint", "check", str(root), "--isolated", "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 1, done.stderr
    assert finding_keys(json.loads(done.stdout)) == _after_service_keys(root / "service.yaml", 1)


# Root reads a chmod 000 file anyway; a write-only sysctl is one file even root cannot read.
ROOT_UNREADABLE = "/proc/sys/vm/drop_caches"


def _unreadable(tmp_path: Path) -> Path:
    path = GENERATE.unreadable(tmp_path)
    if os.geteuid() != 0:
        return path
    try:
        with open(ROOT_UNREADABLE, "rb"):
            pass
    except PermissionError:
        path.chmod(0o644)
        path.unlink()
        path.symlink_to(ROOT_UNREADABLE)
        return path
    except OSError:
        pass
    pytest.skip(f"running as root, where chmod 000 does not stop reads, and {ROOT_UNREADABLE} is readable here")


def test_an_unreadable_file_is_a_located_error_and_the_rest_is_checked(tmp_path: Path) -> None:
    path = _unreadable(tmp_path)
    # As root the unreadable file is a symlink out of the tree, which is followed only when asked.
    code, payload = _check_json(tmp_path, NEIGHBOUR, extra=("--follow-symlinks",) if path.is_symlink() else ())
    assert code == 1
    own = [(f["line"], f["column"], f["rule"], f["message"]) for f in payload["findings"] if f["file"] == str(path)]
    assert own == [(1, 1, "SVC001", "cannot read file: Permission denied")]
    assert finding_keys(payload) - Counter({(str(path), 1, "SVC001"): 1}) == expected_markers([NEIGHBOUR])


def test_limits_are_configurable(tmp_path: Path) -> None:
    config = tmp_path / "svclint.yaml"
    config.write_text("limits:\n  max-depth: 10\n  max-expanded-nodes: 1000\n")
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 10 + "]" * 10 + "\n")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [" + ",".join(["x"] * 40) + "]\nb: [" + ",".join(["*a"] * 40) + "]\n")
    plain = tmp_path / "plain.yaml"  # 1,200 nodes without aliases: not an expansion
    plain.write_text("a:\n" + "".join(f"  - [{i}]\n" for i in range(600)))
    run = run_cli("check", str(deep), str(bomb), str(plain), "--config", str(config), "-f", "json")
    assert run.exit_code == 1, run.stderr
    assert _input_findings(run.json()) == [
        (
            str(bomb),
            1,
            4,
            "SVC001",
            "aliases of &a expand this document to more than 1000 nodes (an alias bomb?); limits.max-expanded-nodes",
        ),
        (str(deep), 1, 13, "SVC001", "nesting deeper than 10 levels"),
    ]
    config.write_text("limits:\n  max-document-bytes: 2048\n")
    run = run_cli("check", str(plain), "--config", str(config), "-f", "json")
    assert _input_findings(run.json()) == [
        (str(plain), 1, 1, "SVC001", "file is 5893 bytes, over the limit of 2048 bytes")
    ]


def test_standard_input_is_bounded_like_a_file(tmp_path: Path) -> None:
    config = tmp_path / "svclint.yaml"
    config.write_text("limits:\n  max-document-bytes: 1024\n")
    run = run_cli("check", "-", "--config", str(config), "-f", "json", input=b"a: " + b"x" * 5000)
    assert run.exit_code == 1
    assert _input_findings(run.json()) == [("<stdin>", 1, 1, "SVC001", "input is over the limit of 1024 bytes")]
    run = run_cli("check", "-", "--isolated", "-f", "json", input=b"a: \xff\n")
    assert _input_findings(run.json()) == [
        ("<stdin>", 1, 4, "SVC001", "not valid UTF-8: byte 0xff at line 1, column 4; this document is skipped (save the file as UTF-8)")
    ]


# -- bounded cost: measured in a child process ----------------------------------------------

_MEASURE = """
import json, resource, sys, time
from svclint.cli import main
import svclint.cli.check, svclint.report.json  # commands load lazily: the engine is imported before the clock, as it was

def cpu():
    return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))

start, start_cpu = time.perf_counter(), cpu()
# --no-cache: the parse, every time (the checkout's .svclint_cache may hold this file already)
code = main(["check", sys.argv[1], "--isolated", "--no-cache", "--format", "json", "--output", sys.argv[2]])
elapsed, cpu_seconds = time.perf_counter() - start, cpu() - start_cpu
print(json.dumps({"code": code, "seconds": cpu_seconds, "wall_seconds": elapsed,
                  "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
# The cost is CPU time (user + system, of the run and any worker it starts), not wall time:
# the suite runs on every core (pytest -n auto) beside other work, and a run waiting for a
# core is not a run that costs more. The wall bound is only there to catch a run that blocks.
# Linux carries the peak RSS of a process across fork + exec, so a child of this (large)
# pytest process would report pytest's own peak. A small Python in between sets the baseline.
_FRESH = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


@pytest.mark.parametrize(
    "case",
    ["alias-bomb", "deep_flow", "deep_block", "deep_unclosed", "deep_flow_mappings", "deep_block_cr", "deep_json"],
)
def test_bomb_and_deep_documents_cost_under_a_second_and_200_mib(tmp_path: Path, case: str) -> None:
    if case == "alias-bomb":
        path = BAD / "alias-bomb.yaml"
    elif case == "deep_block_cr":
        path = GENERATE.deep_block_after_break(tmp_path, "cr")
    else:
        path = getattr(GENERATE, case)(tmp_path)
    out = tmp_path / "report.json"
    command = [sys.executable, "-c", _FRESH, sys.executable, "-c", _MEASURE, str(path), str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout)
    assert measured["code"] == 1
    assert measured["seconds"] < 1.0, measured
    assert measured["wall_seconds"] < 10.0, measured
    assert measured["max_rss_mib"] < 200, measured
    rules = [f["rule"] for f in json.loads(out.read_text())["findings"]]
    assert rules.count("SVC001") == 1 and ("SVC201" in rules or case == "deep_json")


def test_the_alias_bomb_really_is_one() -> None:
    """Guard against a fixture that stopped being a bomb: 10^9 leaves when expanded."""
    node = yaml.compose((BAD / "alias-bomb.yaml").read_text().split("---")[0], Loader=yaml.SafeLoader)
    sizes: dict[int, int] = {}

    def leaves(n: yaml.Node) -> int:
        if id(n) not in sizes:
            sizes[id(n)] = 1 if isinstance(n, yaml.ScalarNode) else sum(leaves(c) for c in n.value)
        return sizes[id(n)]

    data = {k.value: v for k, v in node.value}["data"]
    assert leaves({k.value: v for k, v in data.value}["i"]) == 10**9


def test_a_run_keeps_nothing_alive() -> None:
    """svclint as a library (an editor, a long CI job, the fuzzer) must not grow per run: the
    graph of a finished run, with every text and node it holds, is freed."""
    import gc
    import weakref

    from svclint.api import lint_paths
    from svclint.settings import Settings

    result = lint_paths(["fixtures/examples", "fixtures/rules"], Settings(select=("ALL",)))
    assert result.findings and result.graph.objects
    graph, first = weakref.ref(result.graph), weakref.ref(result.load.objects[0])
    del result
    gc.collect()
    assert graph() is None and first() is None


def test_many_documents_cost_time_in_proportion_to_their_number() -> None:
    """Each document once: a scan of the whole stream per document (the template marks, once)
    made a file of N tiny documents cost N times its size. Ten times the documents must cost
    about ten times the CPU (quadratic would be a hundred)."""
    from svclint.loading.yamlload import parse_stream
    from svclint.settings import Limits

    def cost(documents: int) -> float:
        text = "".join(f"---\nkey{n}: value\n" for n in range(documents))
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            stream = parse_stream(text, Limits())
            best = min(best, time.process_time() - start)
            assert len(stream.documents) == documents
        return best

    small, large = cost(2_000), cost(20_000)
    assert large < 25 * small, (small, large)
