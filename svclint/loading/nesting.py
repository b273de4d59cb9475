"""Guard libyaml against documents nested deeply enough to crash it or to take seconds.

libyaml's composer (PyYAML's _yaml.pyx) recurses once per nesting level on the C stack and
its scanner is quadratic in flow depth: 10,000 ``[`` take 0.7 s and ~30,000 overflow an
8 MiB stack (segfault). The walker's max_depth comes too late for that, so before composing
we bound the depth from the text: a flow level needs a ``[``/``{``, and a block level needs
at least one more column of indentation or indicators ("- ", "? ", ": ") at the start of
its line, so depth <= opens + 2 * longest line prefix + 3. Only when that bound could
exceed COMPOSE_SAFE_DEPTH (large bracket-heavy files, e.g. big JSON) are the events read,
without composing, up to the first node that is too deep.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

COMPOSE_SAFE_DEPTH = 1000  # far below the crash (~30,000) and the slow zone (~5,000)
# A line whose leading indentation and indicators alone allow COMPOSE_SAFE_DEPTH / 2 levels.
_DEEP_PREFIX = re.compile(r"[\ufeff \t?:\-]{" + str(COMPOSE_SAFE_DEPTH // 4) + "}")
# After each of YAML's line breaks; a literal first character makes re scan fast (~2 ms/MB),
# so the rare breaks (\r alone, U+0085, U+2028, U+2029) are searched only when present.
_DEEP_LINE = re.compile(r"\n" + _DEEP_PREFIX.pattern)
_DEEP_LINE_CR = re.compile(r"\r" + _DEEP_PREFIX.pattern)
_DEEP_LINE_RARE = re.compile(r"[\x85\u2028\u2029]" + _DEEP_PREFIX.pattern)


class NestingError(yaml.MarkedYAMLError):
    """A document nested deeper than the limit (a finding, not a syntax error)."""


def _may_nest_deeply(text: str) -> bool:
    """Cheap (~2 ms per MB) and sound: False only when no node can be COMPOSE_SAFE_DEPTH
    levels deep (opens < 500 and every line prefix < 250 gives depth <= 499 + 2*249 + 3)."""
    if text.count("[") + text.count("{") >= COMPOSE_SAFE_DEPTH // 2:
        return True
    if _DEEP_PREFIX.match(text) or _DEEP_LINE.search(text):
        return True
    if "\r" in text and _DEEP_LINE_CR.search(text):
        return True
    rare = "\x85" in text or "\u2028" in text or "\u2029" in text
    return rare and _DEEP_LINE_RARE.search(text) is not None


# In valid JSON every quote opens or closes a string, so brackets outside strings are exact.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_JSON_TOKEN = re.compile(_JSON_STRING.pattern + r"|[\[\]{}]")


def _json_nesting(text: str, max_depth: int) -> tuple[bool, int]:
    """(is JSON, index of the first bracket deeper than ``max_depth`` or -1).

    Large JSON (``kubectl get -o json``) is all brackets, so the cheap bound always asks for
    a closer look; this one costs a tenth of reading the parser's events. json.loads proves
    the text is JSON (and is itself safe from deep nesting: it raises RecursionError)."""
    if text.lstrip()[:1] not in ("{", "["):
        return False, -1
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False, -1
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if max(accumulate(1 if b in "[{" else -1 for b in brackets), default=0) <= max_depth:
        return True, -1
    depth = 0
    for match in _JSON_TOKEN.finditer(text):  # only to say where: rare
        if match.group() in ("[", "{"):
            depth += 1
            if depth > max_depth:
                return True, match.start()
        elif match.group() in ("]", "}"):
            depth -= 1
    return True, -1  # pragma: no cover - the count above said there is one


def _error_at(text: str, index: int, max_depth: int) -> NestingError:
    line = text.count("\n", 0, index)  # JSON: only \n and \r\n break lines outside strings
    column = index - (text.rfind("\n", 0, index) + 1)
    mark = yaml.Mark("<unicode string>", index, line, column, None, None)  # type: ignore[arg-type]  # no buffer: as libyaml makes it
    return NestingError(problem=f"nesting deeper than {max_depth} levels", problem_mark=mark)


def nesting_error(text: str, max_depth: int) -> NestingError | None:
    """An error at the first node nested deeper than ``max_depth``, checked on events.

    The event stream is read only up to that node, so a 10,000-level document costs as
    much as a ``max_depth``-level one. Syntax errors are left to the composer to report.
    """
    if not _may_nest_deeply(text):
        return None
    is_json, index = _json_nesting(text, max_depth)
    if is_json:
        return _error_at(text, index, max_depth) if index >= 0 else None
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > max_depth:
                    return NestingError(problem=f"nesting deeper than {max_depth} levels", problem_mark=event.start_mark)  # type: ignore[arg-type]  # libyaml's Mark has the same fields
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None
