"""Text measurement and label placement for figures laid out at print size.

Plotly cannot measure text before it is rendered, so label widths are estimated from the
Arial / Helvetica / Liberation Sans advance widths, erring on the wide side; labels are then
placed so their estimated boxes never overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Box", "Rows", "crosses", "overlaps", "text_width", "wrap_text"]

# Advance widths of Helvetica / Arial / Liberation Sans, in 1/1000 em.
_WIDTHS: dict[str, int] = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191, "(": 333, ")": 333,
    "*": 389, "+": 584, ",": 278, "-": 333, ".": 278, "/": 278, ":": 278, ";": 278, "<": 584, "=": 584,
    ">": 584, "?": 556, "@": 1015, "[": 278, "\\": 278, "]": 278, "^": 469, "_": 556, "`": 333, "{": 334,
    "|": 260, "}": 334, "~": 584, "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778,
    "H": 722, "I": 278, "J": 500, "K": 667, "L": 556, "M": 833, "N": 722, "O": 778, "P": 667, "Q": 778,
    "R": 722, "S": 667, "T": 611, "U": 722, "V": 667, "W": 944, "X": 667, "Y": 667, "Z": 611, "a": 556,
    "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556, "h": 556, "i": 222, "j": 222, "k": 500,
    "l": 222, "m": 833, "n": 556, "o": 556, "p": 556, "q": 556, "r": 333, "s": 500, "t": 278, "u": 556,
    "v": 500, "w": 722, "x": 500, "y": 500, "z": 500, "æ": 889, "ø": 611, "å": 556, "Æ": 1000, "Ø": 778,
    "Å": 667, "é": 556, "ü": 556, "ö": 556, "ä": 556, "×": 584, "–": 556, "—": 1000, "’": 222, "…": 1000,
    "←": 1000, "→": 1000, "↔": 1000, "·": 278,
}  # fmt: skip
_DIGIT = 556
_UNKNOWN = 1000  # unknown characters (other scripts, symbols) are taken as wide, so labels err on the safe side
_SAFETY = 1.06  # font hinting and kerning differ a little between renderers


@dataclass
class Rows:
    """Greedy first-fit interval packing: each row remembers where its last item ends."""

    gap: float
    ends: list[float] = field(default_factory=list)

    def place(self, left: float, right: float) -> int:
        for row, end in enumerate(self.ends):
            if end + self.gap <= left:
                self.ends[row] = right
                return row
        self.ends.append(right)
        return len(self.ends) - 1


def text_width(text: str, size: float) -> float:
    """Estimated rendered width in px of one line of ``text`` at font ``size`` px (Arial metrics)."""
    units = sum(_DIGIT if ch.isdigit() else _WIDTHS.get(ch, _UNKNOWN) for ch in text)
    return units / 1000 * size * _SAFETY


def wrap_text(text: str, max_px: float, size: float) -> list[str]:
    """Greedy word wrap to lines no wider than ``max_px`` (a single long word stays whole)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in (w for w in paragraph.split(" ") if w):  # a no-break space keeps "n = 3" whole
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size) > max_px:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


Box = tuple[float, float, float, float]  # left, bottom, right, top in px


def crosses(a: tuple[float, float], b: tuple[float, float], box: Box) -> bool:
    """Does the segment a–b pass through ``box`` (sampled; enough for leader lines)?"""
    return any(
        box[0] < a[0] + (b[0] - a[0]) * t < box[2] and box[1] < a[1] + (b[1] - a[1]) * t < box[3]
        for t in (i / 16 for i in range(1, 16))
    )
