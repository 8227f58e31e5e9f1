"""The Garuda (ครุฑ) at the head of an official letter, drawn as vector shapes.

No freely licensed drawing of the state emblem can be had offline here (no package in PyPI, npm or Debian
ships one), so this is the project's own simplified drawing: crown, face with beak, raised arms, spread
wings, bent legs and tail, in black, mirrored about the centre line. It is printed 3 cm high, centred, as
the regulation on official correspondence (ระเบียบงานสารบรรณ) places the emblem on external letters.
A district that has the official artwork can replace this module's SVG without touching the layout.
"""

from __future__ import annotations

from functools import cache

from fpdf import FPDF
from fpdf.drawing_primitives import Transform
from fpdf.svg import SVGObject

# The left half in a 100 x 102 box; each shape runs a little past the centre line (x = 50) so that the two
# mirrored halves overlap instead of leaving a hairline seam.
_LEFT = """
<path d="M50.4,1 L49,6 L47.4,6.8 L48,8.2 L46.6,12.5 L45,13.3 L45.7,14.7 L44.3,19 L42.6,19.8 L43.4,21.2
 L42.4,24.5 L50.4,24.5 Z"/>
<path d="M43,25 Q39.6,24.6 38.4,20.6 Q40.8,22.4 43.6,22.4 Z"/>
<path d="M50.4,24 L43.2,24 Q41.3,29 42.8,33.5 Q45.4,37.6 50.4,38 Z"/>
<path d="M44,40 Q31,31 21,19 Q13,10 3.5,7.5 L2,14 L7,17 L2,22 L7,25 L3,30 L8,33 L5,38 L10,41 L8,46 L13,48
 L12,53 L17,54 L17,59 L22,56 Q32,52 43,51 Z"/>
<path d="M50.4,37.5 L45.5,38.3 Q42.2,40.5 42.8,45.5 L44.2,58.5 L50.4,60.5 Z"/>
<path d="M46,56.5 Q36,57.5 28.5,63.5 Q26,67 28.8,70.5 L33,79 L29,81.5 L26.5,86 L31,84.2 L30,89.5 L34,85.5
 L36.5,88.5 L37.2,82 L38,78 L35.3,68.5 Q40.5,64.8 47.5,64.5 Z"/>
<path d="M50.4,60 L46,61.5 L40.2,80 L42.6,81.8 L41,92.5 L45,88.5 L46.2,98.5 L48.8,92.5 L50.4,101 Z"/>
<path stroke="#fff" stroke-width="0.9" d="M44.5,42.5 L35,42 Q32.8,41.6 32.6,39.5 L32.4,29.5 Q30.2,27.5 29.5,24.5
 Q31.6,25.2 33,26.5 L33.4,23.5 L35.2,26.8 L36.2,28.8 L36.6,38.2 L45,38.6 Z"/>
"""
# White lines that separate feathers, crown tiers, belt, beak and arms from the black shapes.
_LINES = """
<g fill="none" stroke="#fff" stroke-width="0.7" stroke-linecap="round">
<path d="M40,47 L7,17"/><path d="M40,48.5 L7,25"/><path d="M40,49.5 L8,33"/><path d="M40,50.2 L10,41"/>
<path d="M39,50.8 L13,48"/><path d="M37,51.2 L17,54"/><path d="M44,43 Q34,36 24,25"/>
<path d="M43.8,57.5 L50.4,57.5"/><path d="M44.3,20.8 L50.4,20.8"/><path d="M45.7,14 L50.4,14"/>
<path d="M47.4,8 L50.4,8"/><path d="M50.4,28.2 Q47.6,29.6 47.4,32.6 Q47.8,35.2 49.6,36.4"/>
<path d="M47,63.5 L43,79"/><path d="M48.6,63.5 L46.5,90"/><path d="M45,41 Q47,44 50.4,44.5"/>
</g>
"""
_EYES = """<g fill="#fff"><path d="M43.4,29.8 Q45.3,27.2 47.5,29.1 Q45.5,30.9 43.4,29.8 Z"/>
<path d="M56.6,29.8 Q54.7,27.2 52.5,29.1 Q54.5,30.9 56.6,29.8 Z"/></g>"""
GARUDA_SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 102" width="100" height="102">
<g fill="#000">{_LEFT}</g>{_LINES}
<g transform="translate(100,0) scale(-1,1)"><g fill="#000">{_LEFT}</g>{_LINES}</g>
{_EYES}
</svg>"""
ASPECT = 100 / 102  # width / height


@cache
def _svg() -> SVGObject:
    return SVGObject(GARUDA_SVG)


def draw_garuda(pdf: FPDF, centre_x: float, top: float, height: float) -> None:
    """The emblem ``height`` mm high, its top edge at ``top`` and centred on ``centre_x`` (mm).
    The drawing is parsed once per process; each page only replays its paths."""
    width = height * ASPECT
    # The parsed drawing is shared: its transform is set afresh on every call, and drawing does not change it.
    _, _, path = _svg().transform_to_rect_viewport(scale=1, width=width, height=height, ignore_svg_top_attrs=True)
    path.transform = (path.transform or Transform.identity()) @ Transform.translation(centre_x - width / 2, top)
    x, y = pdf.x, pdf.y
    pdf.set_xy(0, 0)
    try:
        pdf.draw_path(path, copy=False)
    finally:
        pdf.set_xy(x, y)
