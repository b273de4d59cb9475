"""primaryLocationLineHash: the test vectors of github/codeql-action src/fingerprints.test.ts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svclint.fingerprint import line_hashes

from .conftest import FIXTURES

SHARED_TAIL = [
    "e9496ae3ebfced30:1",
    "fb7c023a8b9ccb3f:1",
    "ce8ba1a563dcdaca:1",
    "e20e36e16fcb0cc8:1",
    "b3edc88f2938467e:1",
    "c8e28b0b4002a3a0:1",
    "c129715d7a2bc9a3:1",
]

VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1", "b86d3392aea1be30:1", "e6ceba753e1a442:1"],
    ),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", SHARED_TAIL),
    (" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", SHARED_TAIL),
    (" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", SHARED_TAIL),
    (" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", SHARED_TAIL),
    (
        "Lorem ipsum dolor sit amet.\n" * 10,
        ["a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:2", "a7f2ff13bc495cf2:3", "a7f2ff13bc495cf2:4", "a7f2ff13bc495cf2:5",
         "a7f2ff13bc495cf2:6", "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1",
         "c129715d7a2bc9a3:1"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), VECTORS, ids=[repr(t[:20]) for t, _ in VECTORS])
def test_codeql_action_vectors(text: str, expected: list[str]) -> None:
    assert line_hashes(text) == dict(enumerate(expected, 1))


def test_astral_characters_count_as_two_utf16_units() -> None:
    # JavaScript's charCodeAt sees a surrogate pair; a code-point port would hash differently.
    assert line_hashes("a\U0001f600\nb") == line_hashes("a\ud83d\ude00\nb")
    assert line_hashes("a\U0001f600\nb") != line_hashes("a\ud83d\nb")


def test_hash_from_agrees_with_the_rolling_hash_on_every_line_of_every_fixture() -> None:
    """The baseline's one-window hash is the rolling hash's value, line for line (the ``:n`` aside)."""
    from svclint.fingerprint import hash_from, line_starts

    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(FIXTURES.rglob("*.y*ml")) if p.is_file()]
    texts += ["a\r\nb\rc\n\n  \t\n", "x", "", "é😀" * 80 + "\n" + "😀" * 3, "a" * 99 + "😀b\n", "\r\n\r\n", "k: v   \n   "]
    checked = 0
    for text in texts:
        rolling = line_hashes(text)
        starts = line_starts(text)
        for line, value in rolling.items():
            assert hash_from(text, starts[line - 1]) == value.split(":")[0], (text[:40], line)
            checked += 1
    assert checked > 10_000


class _RollingHash:
    """``hash()`` of github/codeql-action src/fingerprints.ts ported line for line (MIT licence,
    Copyright GitHub, Inc.): the reference ``svclint.fingerprint.line_hashes`` must agree with."""

    BLOCK, MOD, MASK, EOF = 100, 37, (1 << 64) - 1, 65535

    def __init__(self) -> None:
        self.window = [0] * self.BLOCK
        self.line_numbers = [-1] * self.BLOCK
        self.hash = self.index = self.line = 0
        self.line_start, self.prev_cr = True, False
        self.counts: dict[str, int] = {}
        self.hashes: dict[int, str] = {}
        self.first_mod = pow(self.MOD, self.BLOCK, 1 << 64)

    def output_hash(self) -> None:
        value = format(self.hash, "x")
        self.counts[value] = self.counts.get(value, 0) + 1
        self.hashes[self.line_numbers[self.index]] = f"{value}:{self.counts[value]}"
        self.line_numbers[self.index] = -1

    def update_hash(self, current: int) -> None:
        begin = self.window[self.index]
        self.window[self.index] = current
        self.hash = (self.MOD * self.hash + current - self.first_mod * begin) & self.MASK
        self.index = (self.index + 1) % self.BLOCK

    def process_character(self, current: int) -> None:
        if current in (32, 9) or (self.prev_cr and current == 10):
            self.prev_cr = False
            return
        if current == 13:
            current, self.prev_cr = 10, True
        else:
            self.prev_cr = False
        if self.line_numbers[self.index] != -1:
            self.output_hash()
        if self.line_start:
            self.line_start = False
            self.line += 1
            self.line_numbers[self.index] = self.line
        if current == 10:
            self.line_start = True
        self.update_hash(current)

    def run(self, text: str) -> dict[int, str]:
        data = text.encode("utf-16-le", "surrogatepass")
        for i in range(0, len(data), 2):
            self.process_character(data[i] | (data[i + 1] << 8))
        self.process_character(self.EOF)
        for _ in range(self.BLOCK):
            if self.line_numbers[self.index] != -1:
                self.output_hash()
            self.update_hash(0)
        return self.hashes


def test_line_hashes_agree_with_the_port_on_every_fixture() -> None:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(FIXTURES.rglob("*.y*ml")) if p.is_file()]
    assert len(texts) > 300
    for text in texts:
        assert line_hashes(text) == _RollingHash().run(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "é", " ", "\t", "\n", "\r", "\U0001f600", "\ud83d", "\x00", "\uffff", "k: v"]), max_size=300).map("".join))
def test_line_hashes_agree_with_the_port_on_any_text(text: str) -> None:
    """CR, CRLF and CR-space-LF, runs of blanks, astral characters, lone surrogates, the end."""
    assert line_hashes(text) == _RollingHash().run(text)
