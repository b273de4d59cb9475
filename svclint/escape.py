"""Escaping for what reaches a terminal or a CI log: the one place every formatter asks.

Paths, names and values in a report come from the checked repository, which may be a
fork's pull request. Left raw, a newline in a file name starts a new line in a CI log (and
GitHub Actions runs any line that starts with ``::error::`` as a workflow command), ESC
sequences drive the terminal, and bidi overrides or zero-width characters make a log say
something else than its bytes (CVE-2021-42574, "Trojan Source"). So:

- ``visible`` (text, github, junit, the CLI's own messages) writes every such character as
  a visible escape, ``\\n``, ``\\x1b``, ``\\u202e``, on the one line it belongs to;
- ``json_text`` (json, sarif) keeps the value exact and writes those characters as JSON
  ``\\uXXXX`` escapes, so the bytes of the file carry none of them raw.
"""

from __future__ import annotations

import re

# C0 controls (newline and tab included), DEL, C1 controls (U+0085 NEL, U+009B CSI), the
# Arabic letter mark, zero-width space/joiners and the directional marks, the line and
# paragraph separators, the bidi embeddings/overrides/isolates, word joiner and invisible
# operators, and the zero-width no-break space (BOM).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What json.dumps(ensure_ascii=False) leaves raw: everything above but the C0 controls.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` on one line with every control, bidi and invisible character escaped."""
    return _UNSAFE.sub(_visible, text) if _UNSAFE.search(text) else text


def json_text(text: str) -> str:
    """JSON text (from ``json.dumps``) with the characters above as ``\\uXXXX`` escapes.

    Valid because those characters can occur only inside JSON strings, where ``\\uXXXX``
    means the same character: a reader gets the exact value back.
    """
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
