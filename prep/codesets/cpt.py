"""CPT (AMA) procedure codes: format checks, and look-ups in a licensed file.

CPT descriptors are the AMA's copyright, so the product ships none: by
default a code is only checked for its shape. An institution that licenses
CPT can load its file with ``load_cpt_csv`` and pass the mapping as
``registry``; codes are then checked against it and described from it.

Shapes: Category I is five digits (00100-99499); Category II four digits and
F; Category III four digits and T. CPT also holds Proprietary Laboratory
Analyses (four digits and U) and Multianalyte Assays with Algorithmic
Analyses administrative codes (four digits and M); they are accepted too,
with the kinds "pla" and "maaa".
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .common import INVALID, VALID, CodeFileError, PathOrFile, Validation, parse_code_csv, read_text

__all__ = ["normalize", "kind", "validate", "describe", "load_cpt_csv", "KIND_LABELS", "CodeFileError"]

_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\d{5}"), "category-1"),
    (re.compile(r"\d{4}F"), "category-2"),
    (re.compile(r"\d{4}T"), "category-3"),
    (re.compile(r"\d{4}U"), "pla"),
    (re.compile(r"\d{4}M"), "maaa"),
)

KIND_LABELS = {
    "category-1": "Category I",
    "category-2": "Category II",
    "category-3": "Category III",
    "pla": "Proprietary Laboratory Analyses",
    "maaa": "MAAA administrative",
}

_SHAPE_HELP = (
    "CPT codes are five digits (Category I), four digits and F (Category II) "
    "or four digits and T (Category III)"
)

CODE_HEADERS = ("code", "cpt", "cpt_code", "cpt code", "cptcode", "hcpcs", "procedure_code", "cpt_cd")
DESCRIPTION_HEADERS = (
    "long_description",
    "long_descriptor",
    "longdescr",
    "descriptor",
    "description",
    "clinician_descriptor",
    "consumer_descriptor",
    "medium_description",
    "medium_descriptor",
    "short_description",
    "short_descriptor",
    "desc",
)


def normalize(code: str) -> str:
    """Return ``code`` without white space, letters upper cased
    ("  0521f " -> "0521F"). Does not check the shape. Never raises for a str."""
    return "".join(code.split()).upper()


def kind(code: str) -> str | None:
    """Return the kind of CPT code ``code`` is shaped like.

    Takes any string (normalised first). Returns "category-1" (five
    digits), "category-2" (four digits + F), "category-3" (four digits + T),
    "pla" (four digits + U), "maaa" (four digits + M), or None when it is
    not shaped like a CPT code. Never raises for a str.
    """
    norm = normalize(code)
    for pattern, name in _KINDS:
        if pattern.fullmatch(norm):
            return name
    return None


def _lookup(norm: str, registry: Mapping[str, str] | None) -> str | None:
    if not registry:
        return None
    return registry.get(norm)


def validate(code: str, registry: Mapping[str, str] | None = None) -> Validation:
    """Check a CPT code.

    Takes the code and, optionally, ``registry``: a mapping of normalised
    code -> descriptor loaded from an institution's licensed CPT file (an
    empty or None registry means no file is loaded). Without a registry a
    well-shaped code is "valid" (the message says it was checked for shape
    only). With one, a code missing from it is "invalid" and a code in it is
    "valid" with the descriptor attached. Never raises for a str.
    """
    raw = code.strip()
    norm = normalize(code)
    if not norm:
        return Validation("", INVALID, "No CPT code was given")
    found = kind(norm)
    if found is None:
        return Validation(raw, INVALID, f"{raw} is not shaped like a CPT code: {_SHAPE_HELP}")
    label = KIND_LABELS[found]
    if not registry:
        return Validation(
            norm,
            VALID,
            f"{norm} is shaped like a CPT {label} code (no CPT file is loaded, "
            "so it was not checked against the code list)",
        )
    desc = _lookup(norm, registry)
    if desc is None:
        return Validation(norm, INVALID, f"{norm} is not in the loaded CPT file")
    return Validation(norm, VALID, f"{norm} is a CPT {label} code in the loaded CPT file", desc)


def describe(code: str, registry: Mapping[str, str] | None = None) -> str | None:
    """Return the descriptor of ``code`` from ``registry`` (a loaded licensed
    CPT file), or None when there is no registry or the code is not in it.
    Never raises for a str."""
    return _lookup(normalize(code), registry)


def _check(norm: str) -> str | None:
    if kind(norm) is None:
        return f"{norm or '(empty)'} is not shaped like a CPT code: {_SHAPE_HELP}"
    return None


def load_cpt_csv(path_or_file: PathOrFile) -> dict[str, str]:
    """Load a licensed CPT file into ``{code: descriptor}``.

    Takes a path or an open file (text or binary; UTF-8, or Windows-1252)
    holding delimited text (comma, tab, pipe or semicolon) whose header has
    a code column (``code``, ``cpt``, ``cpt_code``...) and a descriptor
    column (``long_description``, ``descriptor``, ``description``...; the
    longest kind wins when several are present). A file without a header
    is accepted when its first cell is a CPT code: column 1 is then the
    code, column 2 the descriptor. Blank lines are skipped; a code repeated
    with the same descriptor is harmless.

    Returns the mapping. Raises CodeFileError(line, reason) when the file
    is empty, has no usable header, or any row has a malformed code, no
    descriptor, too few columns or a conflicting duplicate: the whole file
    is rejected. Raises OSError when the path cannot be read.
    """
    return parse_code_csv(
        read_text(path_or_file),
        what="CPT",
        code_headers=CODE_HEADERS,
        description_headers=DESCRIPTION_HEADERS,
        normalize=normalize,
        check_code=_check,
    )
