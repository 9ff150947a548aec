"""National Drug Codes (FDA).

An NDC names a labeler, a product and a package. The FDA assigns ten
digits in one of three layouts, written with hyphens: 4-4-2, 5-3-2 or
5-4-1. Claims use an eleven-digit 5-4-2 form in which the short segment is
padded with a leading zero (1234-5678-90 -> 01234-5678-90). Ten digits
without hyphens are ambiguous: the layout cannot be known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .common import INVALID, VALID, Validation

__all__ = ["LAYOUTS", "NDC", "NDCError", "parse", "to_11", "from_11", "validate"]

LAYOUTS: dict[str, tuple[int, int, int]] = {
    "4-4-2": (4, 4, 2),
    "5-3-2": (5, 3, 2),
    "5-4-1": (5, 4, 1),
    "5-4-2": (5, 4, 2),  # the 11-digit billing form
}
TEN_DIGIT_LAYOUTS = ("4-4-2", "5-3-2", "5-4-1")


class NDCError(ValueError):
    """An NDC that cannot be parsed or converted; the message says why."""


@dataclass(frozen=True)
class NDC:
    """A parsed NDC: its three segments (digits, as written) and layout
    ("4-4-2", "5-3-2", "5-4-1", or "5-4-2" for the 11-digit form)."""

    labeler: str
    product: str
    package: str
    layout: str

    def __str__(self) -> str:
        return f"{self.labeler}-{self.product}-{self.package}"


def _clean(ndc: str) -> str:
    # Hyphens only: spaces are dropped, other separators are not guessed.
    return "".join(ndc.split())


def parse(ndc: str) -> NDC:
    """Parse an NDC written in a known layout.

    Takes a hyphenated 10-digit NDC (4-4-2, 5-3-2 or 5-4-1), a hyphenated
    11-digit 5-4-2 NDC, or 11 digits without hyphens (the billing form).
    Returns an NDC. Raises NDCError for anything else, including 10 digits
    without hyphens (the layout is ambiguous) and an 11-digit NDC with no
    padding zero in any segment (it cannot come from a 10-digit NDC).
    """
    s = _clean(ndc)
    if re.fullmatch(r"\d{11}", s):
        parsed = NDC(s[:5], s[5:9], s[9:], "5-4-2")
    elif re.fullmatch(r"\d{10}", s):
        raise NDCError(
            f"{s} is ambiguous: a 10-digit NDC needs hyphens to show its layout (4-4-2, 5-3-2 or 5-4-1)"
        )
    else:
        m = re.fullmatch(r"(\d+)-(\d+)-(\d+)", s)
        if m is None:
            raise NDCError(
                f"{s or '(empty)'} is not an NDC: expected three hyphenated groups of digits "
                "(4-4-2, 5-3-2 or 5-4-1) or 11 digits"
            )
        lengths = tuple(len(g) for g in m.groups())
        layout = next((name for name, shape in LAYOUTS.items() if shape == lengths), None)
        if layout is None:
            shown = "-".join(str(n) for n in lengths)
            raise NDCError(
                f"{s} is not an NDC: its groups are {shown} digits long; expected 4-4-2, 5-3-2, 5-4-1 or 5-4-2"
            )
        parsed = NDC(*m.groups(), layout)
    if parsed.layout == "5-4-2" and not _padded_segments(parsed):
        raise NDCError(
            f"{parsed} cannot be the 11-digit form of an NDC: one segment must start with the padding zero"
        )
    return parsed


def _padded_segments(n: NDC) -> list[str]:
    """The 10-digit layouts an 11-digit NDC may have come from."""
    found = []
    if n.labeler.startswith("0"):
        found.append("4-4-2")
    if n.product.startswith("0"):
        found.append("5-3-2")
    if n.package.startswith("0"):
        found.append("5-4-1")
    return found


def to_11(ndc: str | NDC, hyphens: bool = True) -> str:
    """Convert an NDC to the 11-digit 5-4-2 billing form.

    Takes an NDC string (any form ``parse`` accepts) or an NDC. Returns
    "01234-5678-90" style, or "01234567890" when ``hyphens`` is False.
    Raises NDCError when the NDC cannot be parsed.
    """
    n = parse(ndc) if isinstance(ndc, str) else ndc
    labeler, product, package = n.labeler.zfill(5), n.product.zfill(4), n.package.zfill(2)
    sep = "-" if hyphens else ""
    return sep.join((labeler, product, package))


def from_11(ndc11: str, layout: str) -> str:
    """Convert an 11-digit NDC back to a 10-digit layout.

    Takes the 11-digit NDC (hyphenated 5-4-2 or 11 digits) and the layout
    it was printed in ("4-4-2", "5-3-2" or "5-4-1"; "5-4-2" returns the
    hyphenated 11-digit form). Returns the hyphenated 10-digit NDC
    (``from_11("01234-5678-90", "4-4-2")`` -> "1234-5678-90"). Raises NDCError when the input is
    not an 11-digit NDC, the layout is unknown, or the segment that layout
    pads does not start with 0.
    """
    n = parse(ndc11)
    if n.layout != "5-4-2":
        raise NDCError(f"{_clean(ndc11)} is not an 11-digit NDC")
    if layout not in LAYOUTS:
        raise NDCError(f"unknown NDC layout {layout!r}: use 4-4-2, 5-3-2 or 5-4-1")
    if layout == "5-4-2":
        return str(n)
    labeler, product, package = n.labeler, n.product, n.package
    pad_of = {"4-4-2": labeler, "5-3-2": product, "5-4-1": package}
    if not pad_of[layout].startswith("0"):
        raise NDCError(f"{n} cannot come from a {layout} NDC: the padded segment does not start with 0")
    if layout == "4-4-2":
        labeler = labeler[1:]
    elif layout == "5-3-2":
        product = product[1:]
    else:
        package = package[1:]
    return f"{labeler}-{product}-{package}"


def validate(code: str) -> Validation:
    """Check an NDC.

    Takes an NDC as written. Returns "valid" for a hyphenated 10-digit NDC
    in a known layout (the message gives its 11-digit billing form) or an
    11-digit NDC (the billing form); "invalid" otherwise, with the reason
    (10 digits without hyphens are ambiguous; wrong group lengths; no
    padding zero in an 11-digit NDC). The description is always None: no
    NDC directory is shipped. Never raises for a str.
    """
    raw = code.strip()
    try:
        n = parse(code)
    except NDCError as exc:
        return Validation(_clean(code) or raw, INVALID, str(exc))
    if n.layout == "5-4-2":
        sources = " or ".join(_padded_segments(n))
        return Validation(
            str(n), VALID, f"{n} is an NDC in the 11-digit 5-4-2 billing form (from a {sources} NDC)"
        )
    return Validation(str(n), VALID, f"{n} is an NDC in the {n.layout} layout; it is billed as {to_11(n)}")
