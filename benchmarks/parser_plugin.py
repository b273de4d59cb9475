"""A pytest plugin that plugs a candidate YAML parser into svclint, to let the tests judge it.

Each document's data from ``parse_stream`` is replaced by the candidate's, as a fast pass
built on it would give them; libyaml still supplies lines, spans and syntax errors, and is
the answer whenever the candidate fails or disagrees on the number of documents (the
fallback an integration would have). Duplicate-key problems are dropped: the candidate's data
has no duplicates left to find. The parse cache is off (a hit would bypass the candidate).

    SVCLINT_CANDIDATE=libfyaml PYTHONPATH=benchmarks python -m pytest -p parser_plugin \\
        tests/test_loading.py tests/test_rule_fixtures.py tests/test_input_rules.py

Candidates: ``libfyaml`` (mode yaml1.1), ``yaml_rs``. See docs/bench.md for the results.
"""

from __future__ import annotations

import os
from typing import Any

import svclint.loading.cache as cache
import svclint.loading.yamlload as yamlload
from svclint.settings import Limits

_CANDIDATE = os.environ.get("SVCLINT_CANDIDATE", "libfyaml")
_original_parse = yamlload._parse


def _load(text: str) -> list[Any]:
    if _CANDIDATE == "libfyaml":
        import libfyaml  # type: ignore[import-not-found]

        return [d.to_python() if hasattr(d, "to_python") else d for d in libfyaml.loads_all(text, mode="yaml1.1")]
    if _CANDIDATE == "yaml_rs":
        import yaml_rs  # type: ignore[import-not-found]

        data = yaml_rs.loads(text, parse_datetime=False)
        return data if isinstance(data, list) and "\n---" in text else [data]
    raise SystemExit(f"SVCLINT_CANDIDATE={_CANDIDATE!r}: use libfyaml or yaml_rs")


def _parse(text: str, limits: Limits, chunk: bool, line_offset: int, objects: list[int] | None = None) -> yamlload.ParsedStream:
    out = _original_parse(text, limits, chunk, line_offset, objects)
    try:
        documents = _load(text)
    except Exception:  # noqa: BLE001 - any failure of the candidate: libyaml's answer stands
        return out
    if len(documents) != len(out.documents):
        return out
    for document, data in zip(out.documents, documents):
        document.data = data
    out.problems = [p for p in out.problems if "already defined" not in p.message]
    return out


yamlload._parse = _parse  # type: ignore[assignment]
cache.ParseCache.get = lambda self, name: None  # type: ignore[assignment,method-assign]
cache.ParseCache.put = lambda self, name, value: None  # type: ignore[assignment,method-assign]
