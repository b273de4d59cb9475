"""GitHub's ``primaryLocationLineHash``, computed exactly as the upload action does.

One implementation for every layer that matches findings across edits: SARIF writes it
(``report/sarif.py``), the baseline and ``svclint diff`` match by it (``lint/baseline.py``).
It imports nothing from svclint, so it sits at the bottom beside ``findings``.

Port of ``hash()`` in github/codeql-action ``src/fingerprints.ts`` (MIT licence, Copyright
GitHub, Inc.). The action fills in the fingerprint when a result has none, and keeps ours
(with a warning) when it differs, so this must match it bit for bit; REST uploads compute
nothing, so without it they would duplicate alerts on every upload.

The hash of line N is a rolling hash (base 37, wrapping 64-bit arithmetic) over the first
100 characters from the start of line N, ignoring spaces and tabs, with CR and CRLF read as
LF, an end-of-file marker (65535) and NUL padding. Characters are UTF-16 code units, as
JavaScript's ``charCodeAt`` counts them. ``:n`` numbers repeated hashes within the file.
"""

from __future__ import annotations

import re
from itertools import accumulate

_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13
_EOF = 65535
_BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MOD, _BLOCK_SIZE, 1 << 64)


def _code_units(text: str) -> list[int]:
    """UTF-16 code units of ``text`` (astral characters become surrogate pairs)."""
    data = text.encode("utf-16-le", "surrogatepass")
    return [data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2)]


class _RollingHash:
    """The state of ``hash()`` in fingerprints.ts; method names follow the original."""

    def __init__(self) -> None:
        self.window = [0] * _BLOCK_SIZE
        self.line_numbers = [-1] * _BLOCK_SIZE  # line number where a line starts, else -1
        self.hash = 0
        self.index = 0
        self.line = 0
        self.line_start = True
        self.prev_cr = False
        self.counts: dict[str, int] = {}
        self.hashes: dict[int, str] = {}

    def output_hash(self) -> None:
        value = format(self.hash, "x")
        self.counts[value] = self.counts.get(value, 0) + 1
        self.hashes[self.line_numbers[self.index]] = f"{value}:{self.counts[value]}"
        self.line_numbers[self.index] = -1

    def update_hash(self, current: int) -> None:
        begin = self.window[self.index]
        self.window[self.index] = current
        self.hash = (_MOD * self.hash + current - _FIRST_MOD * begin) & _MASK
        self.index = (self.index + 1) % _BLOCK_SIZE

    def process_character(self, current: int) -> None:
        if current in (_SPACE, _TAB) or (self.prev_cr and current == _LF):
            self.prev_cr = False
            return
        if current == _CR:
            current = _LF
            self.prev_cr = True
        else:
            self.prev_cr = False
        if self.line_numbers[self.index] != -1:
            self.output_hash()
        if self.line_start:
            self.line_start = False
            self.line += 1
            self.line_numbers[self.index] = self.line
        if current == _LF:
            self.line_start = True
        self.update_hash(current)

    def finish(self) -> dict[int, str]:
        self.process_character(_EOF)
        for _ in range(_BLOCK_SIZE):
            if self.line_numbers[self.index] != -1:
                self.output_hash()
            self.update_hash(0)
        return self.hashes


def line_hashes(text: str) -> dict[int, str]:
    """1-based line number -> ``"<hex>:<n>"`` for every line of ``text``."""
    state = _RollingHash()
    for unit in _code_units(text):
        state.process_character(unit)
    return state.finish()


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
