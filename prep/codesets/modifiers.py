"""Procedure-code modifiers (CPT and HCPCS Level II).

A modifier is two letters or digits; a procedure line carries at most four.
Two-digit modifiers come from CPT, the others from HCPCS Level II. The table
below covers the common ones with short explanations written for this
product (not the official descriptors). A well-formed modifier that is not
in the table is still accepted: the table is a study aid, not the full list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .common import INVALID, VALID, Validation

__all__ = [
    "MAX_PER_CODE",
    "COMMON",
    "normalize",
    "is_well_formed",
    "source",
    "describe",
    "validate_modifier",
    "validate_modifiers",
]

MAX_PER_CODE = 4

_SHAPE = re.compile(r"[A-Z0-9]{2}")

COMMON: dict[str, str] = {
    # CPT modifiers (two digits)
    "22": "Procedure took substantially more work than usual",
    "23": "General anesthesia for a procedure normally done with local or none",
    "24": "E/M visit unrelated to a surgery, during its postoperative period",
    "25": "Separate, significant E/M visit on the day of a procedure",
    "26": "Professional component (interpretation) only",
    "27": "Several outpatient hospital E/M visits on the same day",
    "33": "Preventive service (patient cost sharing waived)",
    "47": "Anesthesia given by the surgeon",
    "50": "Same procedure done on both sides of the body",
    "51": "Additional procedure in the same session",
    "52": "Service reduced at the provider's choice",
    "53": "Procedure stopped after it began (patient at risk)",
    "54": "Surgery only; another provider gives the pre- and postoperative care",
    "55": "Postoperative care only",
    "56": "Preoperative care only",
    "57": "E/M visit where the decision for major surgery was made",
    "58": "Planned or more extensive follow-up procedure in the postoperative period",
    "59": "Procedure distinct from others billed the same day",
    "62": "Two surgeons, each doing a distinct part of one procedure",
    "63": "Procedure on an infant weighing under 4 kg",
    "66": "Surgical team of several specialists",
    "73": "Outpatient/ASC procedure stopped before anesthesia",
    "74": "Outpatient/ASC procedure stopped after anesthesia began",
    "76": "Same procedure repeated by the same provider",
    "77": "Same procedure repeated by a different provider",
    "78": "Unplanned return to the operating room for a related problem",
    "79": "Unrelated procedure during the postoperative period",
    "80": "Assistant surgeon",
    "81": "Minimal assistance by an assistant surgeon",
    "82": "Assistant surgeon because no qualified resident was available",
    "90": "Test done by an outside (reference) laboratory",
    "91": "Laboratory test repeated the same day for a new result",
    "92": "Laboratory test run on a portable, single-use kit",
    "93": "Service given by telephone or other audio-only link",
    "95": "Service given by real-time audio and video link",
    "96": "Habilitative service",
    "97": "Rehabilitative service",
    "99": "Several modifiers apply (listed separately)",
    # Anesthesia
    "AA": "Anesthesia given personally by an anesthesiologist",
    "QK": "Anesthesiologist directing two to four concurrent cases",
    "QX": "Nurse anesthetist service directed by a physician",
    "QY": "Anesthesiologist directing one nurse anesthetist",
    "QZ": "Nurse anesthetist service without physician direction",
    "P1": "Physical status: healthy patient",
    "P2": "Physical status: mild systemic disease",
    "P3": "Physical status: severe systemic disease",
    "P4": "Physical status: severe systemic disease, a constant threat to life",
    "P5": "Physical status: not expected to survive without the operation",
    "P6": "Physical status: brain-dead organ donor",
    # Components, assistants, teaching, settings
    "TC": "Technical component only",
    "AS": "Assistant at surgery who is a PA, NP or clinical nurse specialist",
    "GC": "Service done partly by a resident under a teaching physician",
    "FS": "Split or shared E/M visit",
    "FT": "Unrelated E/M visit on the day of, or during the global period of, a procedure",
    # Distinct-service subsets of 59
    "XE": "Distinct service: separate encounter",
    "XP": "Distinct service: separate practitioner",
    "XS": "Distinct service: separate organ or structure",
    "XU": "Distinct service: unusual, non-overlapping service",
    # Anatomic: sides, eyelids, fingers, toes, coronary arteries
    "LT": "Left side of the body",
    "RT": "Right side of the body",
    "E1": "Upper left eyelid",
    "E2": "Lower left eyelid",
    "E3": "Upper right eyelid",
    "E4": "Lower right eyelid",
    "FA": "Left hand, thumb",
    "F1": "Left hand, second finger",
    "F2": "Left hand, third finger",
    "F3": "Left hand, fourth finger",
    "F4": "Left hand, fifth finger",
    "F5": "Right hand, thumb",
    "F6": "Right hand, second finger",
    "F7": "Right hand, third finger",
    "F8": "Right hand, fourth finger",
    "F9": "Right hand, fifth finger",
    "TA": "Left foot, great toe",
    "T1": "Left foot, second toe",
    "T2": "Left foot, third toe",
    "T3": "Left foot, fourth toe",
    "T4": "Left foot, fifth toe",
    "T5": "Right foot, great toe",
    "T6": "Right foot, second toe",
    "T7": "Right foot, third toe",
    "T8": "Right foot, fourth toe",
    "T9": "Right foot, fifth toe",
    "LC": "Left circumflex coronary artery",
    "LD": "Left anterior descending coronary artery",
    "LM": "Left main coronary artery",
    "RC": "Right coronary artery",
    "RI": "Ramus intermedius coronary artery",
    # Liability, coverage, drugs, labs, equipment
    "GA": "Advance beneficiary notice (waiver of liability) is on file",
    "GY": "Not a Medicare benefit, or excluded by statute",
    "GZ": "Expected to be denied as not reasonable and necessary; no notice on file",
    "KX": "Requirements of the payer's medical policy are met and documented",
    "JW": "Amount of a single-use drug discarded (not given)",
    "JZ": "No amount of a single-use drug was discarded",
    "QW": "Test waived under CLIA",
    "GT": "Via interactive audio and video (older telehealth modifier)",
    "GP": "Under an outpatient physical therapy plan of care",
    "GO": "Under an outpatient occupational therapy plan of care",
    "GN": "Under an outpatient speech-language pathology plan of care",
    "NU": "New equipment purchased",
    "RR": "Equipment rented",
    "UE": "Used equipment purchased",
    "CR": "Related to a catastrophe or disaster",
    "PO": "Service at an off-campus provider-based hospital department",
    "PN": "Non-excepted service at an off-campus hospital department",
}


def normalize(modifier: str) -> str:
    """Return ``modifier`` without white space or a leading hyphen, upper
    cased ("-rt " -> "RT"). Does not check the shape. Never raises for a str."""
    return "".join(modifier.split()).lstrip("-").upper()


def is_well_formed(modifier: str) -> bool:
    """Return True when ``modifier`` (normalised) is two letters or digits."""
    return _SHAPE.fullmatch(normalize(modifier)) is not None


def source(modifier: str) -> str | None:
    """Return "cpt" for a two-digit modifier, "hcpcs" for any other
    well-formed one, None for a malformed one. Never raises for a str."""
    norm = normalize(modifier)
    if not _SHAPE.fullmatch(norm):
        return None
    return "cpt" if norm.isdigit() else "hcpcs"


def describe(modifier: str) -> str | None:
    """Return this product's short explanation of a common modifier, or None
    when it is not in the table. Never raises for a str."""
    return COMMON.get(normalize(modifier))


def validate_modifier(modifier: str) -> Validation:
    """Check one modifier.

    Takes the modifier in any case, with or without a leading hyphen.
    Returns "valid" for two letters or digits (with the short explanation
    when the modifier is in the table of common ones) and "invalid"
    otherwise. Never raises for a str.
    """
    raw = modifier.strip()
    norm = normalize(modifier)
    if not norm:
        return Validation("", INVALID, "No modifier was given")
    if not _SHAPE.fullmatch(norm):
        return Validation(raw, INVALID, f"{raw} is not a modifier: modifiers are two letters or digits")
    desc = COMMON.get(norm)
    if desc is None:
        return Validation(
            norm, VALID, f"{norm} is a well-formed modifier (not in the built-in list of common ones)"
        )
    return Validation(norm, VALID, f"{norm}: {desc}", desc)


def validate_modifiers(modifiers: Iterable[str]) -> Validation:
    """Check the modifiers of one procedure line together.

    Takes an iterable of modifiers. Returns the first invalid modifier's
    Validation, an "invalid" one when there are more than four or one is
    repeated, else "valid" with ``code`` holding them joined by hyphens.
    Never raises for strings.
    """
    norms: list[str] = []
    for m in modifiers:
        v = validate_modifier(m)
        if not v.ok:
            return v
        norms.append(v.code)
    joined = "-".join(norms)
    if len(norms) > MAX_PER_CODE:
        return Validation(
            joined, INVALID, f"{len(norms)} modifiers given: a code takes at most {MAX_PER_CODE}"
        )
    repeated = sorted({m for m in norms if norms.count(m) > 1})
    if repeated:
        return Validation(joined, INVALID, f"modifier {', '.join(repeated)} is repeated")
    return Validation(joined, VALID, "modifiers are well formed" if norms else "no modifiers")
