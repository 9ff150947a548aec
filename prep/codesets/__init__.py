"""Code sets: one module per set, each able to normalise, validate and
describe its codes. Pure Python: nothing here imports Flask or the database.

* ``icd10cm``: ICD-10-CM diagnoses (tables from simple_icd_10_cm, loaded
  lazily on first use; ``icd10cm.warm()`` loads them up front), search.
* ``cpt``: CPT format checks; descriptors only from a licensed file.
* ``hcpcs``: HCPCS Level II, and the loader for CMS's file.
* ``modifiers``: CPT/HCPCS modifiers.
* ``pcs``: ICD-10-PCS format and axes.
* ``ndc``: National Drug Codes and their 10/11-digit forms.
* ``lines``: procedure lines ("64483-LT-59", "J1030 x2") and telling a
  code's set from its shape.

Two helpers used by question-bank validation sit here:
``validate_diagnosis`` and ``validate_procedure_line``.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import cpt, hcpcs, icd10cm, lines, modifiers, ndc, pcs
from .common import INCOMPLETE, INVALID, VALID, CodeFileError, Validation
from .lines import LineError, ProcedureLine, code_system, format_procedure, parse_procedure

__all__ = [
    "cpt",
    "hcpcs",
    "icd10cm",
    "lines",
    "modifiers",
    "ndc",
    "pcs",
    "Validation",
    "CodeFileError",
    "LineError",
    "ProcedureLine",
    "VALID",
    "INVALID",
    "INCOMPLETE",
    "code_system",
    "parse_procedure",
    "format_procedure",
    "validate_diagnosis",
    "validate_procedure_line",
]


def validate_diagnosis(code: str) -> Validation:
    """Check that ``code`` is a reportable ICD-10-CM code.

    Takes a code in any spelling (case, spaces and the dot do not matter).
    Returns the Validation of ``icd10cm.validate``: "valid" for a complete
    code, "incomplete" for a category/subcategory that needs more characters,
    "invalid" otherwise. Loads the ICD-10-CM tables on first use. Never
    raises for a str.
    """
    return icd10cm.validate(code)


def validate_procedure_line(
    line: str,
    cpt_registry: Mapping[str, str] | None = None,
    hcpcs_registry: Mapping[str, str] | None = None,
    *,
    system: str | None = None,
) -> Validation:
    """Check a procedure line such as "64483-LT-59" or "J1030 x2".

    Takes the line and, optionally, registries loaded from a licensed CPT
    file and from CMS's HCPCS file, and ``system`` ("icd-10-pcs" when the
    line is known to be PCS; see ``lines.parse_procedure``). Parses the line, checks its modifiers,
    tells the code's set by its shape (see ``lines.code_system``) and
    validates the code in that set: without a registry a well-formed CPT or
    HCPCS code passes; ICD-10-PCS is checked for format and takes neither
    modifiers nor units; an ICD-10-CM code is refused (a diagnosis, not a
    procedure). Returns a Validation whose ``code`` is the canonical line
    ("64483-LT-59", "J1030 x2") when it parsed, and whose description is the
    code's when known. Never raises for a str.
    """
    try:
        pl = parse_procedure(line, system=system)
    except LineError as exc:
        return Validation(line.strip(), INVALID, f"{line.strip() or 'The line'}: {exc.reason}")
    shown = format_procedure(pl)
    mods = modifiers.validate_modifiers(pl.modifiers)
    if not mods.ok:
        return Validation(shown, INVALID, mods.message)
    system = code_system(pl.code)
    if system == "cpt":
        result = cpt.validate(pl.code, cpt_registry)
    elif system == "hcpcs":
        result = hcpcs.validate(pl.code, hcpcs_registry)
    elif system == "icd-10-pcs":
        if pl.modifiers or pl.units != 1:
            return Validation(
                shown, INVALID, f"{pl.code} is an ICD-10-PCS code: it takes no modifiers or units"
            )
        result = pcs.validate(pl.code)
    elif system == "icd-10-cm":
        return Validation(shown, INVALID, f"{pl.code} is an ICD-10-CM diagnosis code, not a procedure code")
    else:
        if len(pl.code) == pcs.LENGTH and pl.code[0].isdigit():
            # Most likely a PCS code with a bad character: say which one.
            return Validation(shown, INVALID, pcs.validate(pl.code).message)
        return Validation(
            shown, INVALID, f"{pl.code} is not shaped like a CPT, HCPCS Level II or ICD-10-PCS code"
        )
    return Validation(shown, result.status, result.message, result.description)
