"""GitHub's ``primaryLocationLineHash``, computed exactly as the upload action does.

One implementation for every layer that matches findings across edits: SARIF writes it
(``report/sarif.py``), the baseline and ``svclint diff`` match by it (``lint/baseline.py``).
It imports nothing from svclint, so it sits at the bottom beside ``findings``.

The value of ``hash()`` in github/codeql-action ``src/fingerprints.ts`` (MIT licence,
Copyright GitHub, Inc.; tests/test_fingerprint.py ports it line for line and holds
``line_hashes`` to it, and to the action's own test vectors). The action fills in the fingerprint when a result has none, and keeps ours
(with a warning) when it differs, so this must match it bit for bit; REST uploads compute
nothing, so without it they would duplicate alerts on every upload.

The hash of line N is a rolling hash (base 37, wrapping 64-bit arithmetic) over the first
100 characters from the start of line N, ignoring spaces and tabs, with CR and CRLF read as
LF, an end-of-file marker (65535) and NUL padding. Characters are UTF-16 code units, as
JavaScript's ``charCodeAt`` counts them. ``:n`` numbers repeated hashes within the file.
"""

from __future__ import annotations

import re
from itertools import accumulate, chain, repeat

_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13
_EOF = 65535
_BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MOD, _BLOCK_SIZE, 1 << 64)


_UNCOUNTED = re.compile("[ \t]+")


def line_hashes(text: str) -> dict[int, str]:
    """1-based line number -> ``"<hex>:<n>"`` for every line of ``text``.

    The rolling hash of fingerprints.ts, computed with prefix sums instead of character by
    character (4x faster; tests/test_fingerprint.py holds it to a line-for-line port of the
    original): spaces and tabs dropped and CR, CRLF read as LF first, a line's window starts
    at its first counted code unit, and the window sum of units p..p+99 is
    ``P[p+100] - P[p] * 37**100`` over the prefix sums ``P`` of the units, the end-of-file
    marker and the NUL padding.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = _UNCOUNTED.sub("", text)
    data = kept.encode("utf-16-le", "surrogatepass")
    units: bytes | memoryview
    if len(data) == 2 * len(kept):  # no astral character: a character is one code unit
        units = kept.encode("latin-1") if kept.isascii() else memoryview(data).cast("H")
        breaks = [match.end() for match in re.finditer("\n", kept)]
    else:
        units = memoryview(data).cast("H")
        breaks = [i + 1 for i, unit in enumerate(units) if unit == _LF]
    padded = chain(units, (_EOF,), repeat(0, _BLOCK_SIZE))
    prefix = list(accumulate(padded, lambda total, unit: (total * _MOD + unit) & _MASK, initial=0))
    counts: dict[str, int] = {}
    hashes: dict[int, str] = {}
    for line, start in enumerate([0, *breaks], 1):
        value = format((prefix[start + _BLOCK_SIZE] - prefix[start] * _FIRST_MOD) & _MASK, "x")
        counts[value] = counts.get(value, 0) + 1
        hashes[line] = f"{value}:{counts[value]}"
    return hashes


_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    """Offset in ``text`` of each line as ``hash()`` counts lines (LF, CR, CRLF): index N-1 for line N."""
    if "\r" not in text:  # the usual case, summed in C
        return [0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1])]
    return [0, *(m.end() for m in _BREAK.finditer(text))]


def hash_from(text: str, start: int) -> str:
    """The hash ``line_hashes`` gives the line starting at ``start``, without its ``:n``.

    The same sum the rolling hash keeps, computed for one window: the 100 code units from
    the line on, spaces and tabs dropped, CR and CRLF read as LF, then the end-of-file
    marker and NUL padding. The baseline and ``svclint diff`` need a few lines of large
    files, so this costs 100 steps per finding instead of a pass over the whole file.
    """
    value = count = 0
    prev_cr = False
    index, end = start, len(text)
    while count < _BLOCK_SIZE and index < end:
        code = ord(text[index])
        index += 1
        if code in (_SPACE, _TAB) or (prev_cr and code == _LF):
            prev_cr = False
            continue
        prev_cr = code == _CR
        if prev_cr:
            code = _LF
        units = (code,) if code <= 0xFFFF else (0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF))
        for unit in units:
            if count < _BLOCK_SIZE:
                value = (_MOD * value + unit) & _MASK
                count += 1
    if count < _BLOCK_SIZE:
        value = (_MOD * value + _EOF) & _MASK
        count += 1
    value = (value * pow(_MOD, _BLOCK_SIZE - count, 1 << 64)) & _MASK
    return format(value, "x")
