"""The YAML walker's shortcuts (issue 15) give exactly the documents of its general path, and
the probes benchmarks/bench_parsers.py holds other parsers to are what svclint reads."""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from svclint.loading.composer import Loader
from svclint.loading.nesting import COMPOSE_SAFE_DEPTH, nesting_error
from svclint.loading.yamlload import _DocumentTooLarge, _Walker, parse_stream
from svclint.settings import Limits

from .conftest import FIXTURES, REPO

BENCH = REPO / "benchmarks" / "bench_parsers.py"
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())


def _plain(value: Any) -> Any:
    """Comparable data: types kept, NaN equal to itself, key order kept."""
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    if isinstance(value, dict):
        return ("dict", [(_plain(k), _plain(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_plain(v) for v in value])
    return (type(value).__name__, value)


def _walk_all(text: str, aliases: bool) -> list[Any]:
    loader = Loader(text)
    out: list[Any] = []
    try:
        while loader.check_node():
            walker = _Walker(Limits(), 0, aliases)
            try:
                out.append(_plain(walker.convert(loader.get_node())))
            except _DocumentTooLarge as error:
                out.append(("too large", str(error)))
            out.append([vars(p) for p in walker.problems])
    except Exception as error:  # noqa: BLE001 - a YAML error is part of the answer
        out.append(("error", type(error).__name__))
    finally:
        loader.dispose()
    return out


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=str)
def test_skipping_the_alias_memo_changes_nothing_where_no_alias_can_be(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    if nesting_error(text, COMPOSE_SAFE_DEPTH) is not None:
        pytest.skip("nested deeper than libyaml's composer can take (svclint never composes it)")
    assert _walk_all(text, aliases="*" in text) == _walk_all(text, aliases=True)


def test_aliases_are_still_counted_and_shared() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6)
    )
    parsed = parse_stream(bomb, Limits(max_expanded_nodes=100_000))
    assert parsed.documents[0].data is None
    assert "aliases of &" in parsed.problems[0].message and "max-expanded-nodes" in parsed.problems[0].message
    shared = parse_stream("base: &b {port: 80}\nsvc:\n  <<: *b\n  name: '*not an alias*'\n")
    assert shared.documents[0].data == {"base": {"port": 80}, "svc": {"port": 80, "name": "*not an alias*"}}


def test_inline_scalars_keep_yaml_1_1_and_explicit_tags() -> None:
    # 1:20 and y/n are where libfyaml's YAML 1.1 mode differs (docs/bench.md)
    text = "k: [yes, 'no', 0755, 1:20, 1_000, ~, .inf, 2024-01-01, !!str 1, !!int '2']\nyes: on\n2: x\ny: n\n"
    (document,) = parse_stream(text).documents
    assert document.data == {
        "k": [True, "no", 493, 80, 1000, None, math.inf, "2024-01-01", "1", 2],
        True: True,
        2: "x",
        "y": "n",
    }


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_parsers", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_parsers"] = module
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_probes_say_what_svclint_reads() -> None:
    bench = _bench()
    probes = dict(bench.PROBES)
    assert bench._svclint(probes["YAML 1.1 boolean"]) == [{"a": True}]
    assert bench._svclint(probes["YAML 1.1 octal"]) == [{"a": 493}]
    assert bench._svclint(probes["sexagesimal"]) == [{"a": 80}]
    assert bench._svclint(probes["y and n are strings"]) == [{"y": "n"}]
    assert bench._answer(bench._svclint, probes["duplicate key is an error"]) == "an error"
    assert bench._answer(bench._svclint, probes["undefined alias is an error"]) == "an error"
    assert bench.semantics({"svclint itself": bench._svclint}) == {}  # the comparison is consistent


def test_the_benchmark_runs_on_a_small_tree() -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH), str(FIXTURES / "core"), "--runs", "1"],
        capture_output=True, text=True, check=False, cwd=REPO,
    )
    assert run.returncode == 0, run.stderr
    assert "| svclint fast pass (parse_stream) |" in run.stdout
    assert "| ↳ walker alone |" in run.stdout
