"""Decoding bytes into clean text, and removing terminal control sequences from untrusted text."""

from __future__ import annotations

import codecs
import re

from newscli.errors import InputError

# ESC-introduced sequences: CSI (incl. SGR colours), OSC (incl. OSC-8 hyperlinks, ended by BEL or ST),
# and the two-byte forms; then any remaining C0/C1 control character except tab and newline.
_ANSI = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]          # CSI ... final byte
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?  # OSC ... BEL or ST
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?  # DCS/SOS/PM/APC strings
    | \x1b[@-Z\\-_]                  # two-byte escapes
    | \x9b[0-?]*[ -/]*[@-~]          # 8-bit CSI
    | \x9d[^\x07\x9c]*(?:\x07|\x9c)? # 8-bit OSC
    """,
    re.VERBOSE,
)
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff\u202a-\u202e\u2066-\u2069]"
)

_BINARY_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"PK\x03\x04", "zip archive"),
    (b"%PDF", "PDF document"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x7fELF", "ELF executable"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ", "xz archive"),
)


def clean(text: str) -> str:
    """Strip terminal escape sequences and control characters; normalise newlines. Idempotent."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ANSI.sub("", text)
    return _CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """clean(), then fold all whitespace to single spaces (for titles, outlets and other one-line fields)."""
    return " ".join(clean(text).split())


def decode(data: bytes) -> tuple[str, str | None]:
    """Bytes to text. Returns (text, note) where note names a fallback encoding that was used.

    Order: UTF-8 BOM, UTF-16/32 BOM, strict UTF-8, then Windows-1252 (bytes it leaves undefined
    map as Latin-1), which never fails. Binary data (magic numbers or NUL bytes) is refused.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), None
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace"), None
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise InputError(f"not a text article (looks like a {what})")
    head = data[:8192]
    if head.count(b"\x00") > max(2, len(head) // 100):
        raise InputError("not a text article (binary data: NUL bytes)")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        pos = exc.start
    text = data.decode("cp1252", errors="newscli-latin1")
    return text, f"not valid UTF-8 (byte {pos}); decoded as Windows-1252"


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("newscli-latin1", _latin1_fallback)
