"""A tile-grid map of the 77 provinces: one square each, placed by hand-checked rounding of each provincial
seat's latitude and longitude to a grid (the crowded centre nudged to the nearest free square, the long
south compressed). No npm package ships usable province geometry under a clear licence, so the map is
drawn here; it keeps neighbours near each other, not areas or shapes."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping

# province code → (row, column)
TILES: dict[str, tuple[int, int]] = {
    "57": (0, 3), "58": (1, 1), "50": (2, 2), "56": (2, 3), "55": (2, 5), "51": (3, 2), "52": (3, 3),
    "54": (3, 4), "43": (3, 8), "38": (3, 9), "53": (4, 4), "42": (4, 6), "41": (4, 8), "48": (4, 11),
    "63": (5, 2), "64": (5, 3), "65": (5, 4), "39": (5, 7), "47": (5, 10), "62": (6, 2), "66": (6, 3),
    "60": (6, 4), "67": (6, 5), "40": (6, 8), "44": (6, 9), "46": (6, 10), "49": (6, 11), "61": (7, 3),
    "18": (7, 4), "36": (7, 7), "45": (7, 9), "35": (7, 10), "37": (7, 11), "17": (8, 3), "16": (8, 4),
    "19": (8, 5), "30": (8, 7), "31": (8, 8), "33": (8, 10), "34": (8, 11), "72": (9, 3), "14": (9, 4),
    "15": (9, 5), "26": (9, 6), "32": (9, 9), "71": (10, 2), "73": (10, 3), "12": (10, 4), "13": (10, 5),
    "24": (10, 6), "27": (10, 7), "70": (11, 2), "74": (11, 3), "10": (11, 4), "11": (11, 5), "25": (11, 6),
    "75": (12, 3), "76": (12, 4), "20": (12, 5), "21": (12, 6), "22": (12, 7), "77": (13, 3), "23": (13, 7),
    "85": (14, 1), "86": (14, 2), "84": (15, 2), "82": (16, 1), "81": (16, 2), "80": (16, 3), "83": (17, 1),
    "92": (17, 3), "93": (17, 4), "90": (17, 5), "94": (17, 6), "91": (18, 3), "95": (18, 5), "96": (18, 6),
}
ROWS = 1 + max(r for r, _ in TILES.values())
COLUMNS = 1 + max(c for _, c in TILES.values())
SHADES = 6  # light to dark: class="shade-0" … "shade-5"; shade-0 is "none yet"


def shades(values: Mapping[str, int]) -> dict[str, int]:
    """Each unit's shade by rank among the units with any: ``shade-0`` for none, then five equal-sized groups
    from fewest to most (equal values share a shade). By rank, not by value: one very large province would
    otherwise leave all the others in the lightest shade."""
    ranked = sorted(v for v in values.values() if v > 0)
    steps = SHADES - 1
    return {code: 0 if v <= 0 else 1 + bisect_left(ranked, v) * steps // len(ranked) for code, v in values.items()}


TILE_TEXT_WIDTH = 54  # of a tile's 58 units, for its name
_THAI_MARKS = {0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)}  # above/below marks take no width


def too_wide(name: str, em_per_char: float = 5.6) -> bool:
    """Whether a name at the tiles' font size likely overflows its tile (then it is squeezed to fit)."""
    return sum(1 for ch in name if ord(ch) not in _THAI_MARKS) * em_per_char > TILE_TEXT_WIDTH
