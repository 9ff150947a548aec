"""Checks the codes in a coding item's key against the code sets.

Kept apart from ``format`` so the file format can be read without loading code tables.
"""

from __future__ import annotations

from typing import Any

from prep import codesets


def _check_diagnosis(code: Any) -> str | None:
    if not isinstance(code, str):
        return None  # the schema reports the wrong type
    v = codesets.validate_diagnosis(code)
    return None if v.ok else v.message


def _check_procedure(line: Any, cpt_registry=None, hcpcs_registry=None) -> str | None:
    if not isinstance(line, str):
        return None
    v = codesets.validate_procedure_line(line, cpt_registry=cpt_registry, hcpcs_registry=hcpcs_registry)
    return None if v.ok else v.message


def _looks_like_diagnosis(code: str) -> bool:
    return codesets.lines.code_system(code.split("-")[0].split()[0]) == "icd-10-cm"


def make_code_checker(cpt_registry=None, hcpcs_registry=None):
    """Return a checker for ``prep.bank.format.load_text``.

    The checker takes an item and returns (path, reason) pairs: every ICD-10-CM key code must
    exist and be reportable; every procedure line must parse and its code must be well formed
    (and present in a loaded CPT/HCPCS file when one is given); ``accept`` must name key lines
    and its alternatives obey the same rules; ``optional`` codes must be valid too.
    """

    def check(item: dict[str, Any]) -> list[tuple[tuple, str]]:
        key = item["key"]
        problems: list[tuple[tuple, str]] = []
        diagnoses = key.get("diagnoses") or []
        procedures = key.get("procedures") or []
        for i, code in enumerate(diagnoses if isinstance(diagnoses, list) else []):
            if (reason := _check_diagnosis(code)) is not None:
                problems.append((("key", "diagnoses", i), f"key diagnosis {code!r}: {reason}"))
        for i, line in enumerate(procedures if isinstance(procedures, list) else []):
            if (reason := _check_procedure(line, cpt_registry, hcpcs_registry)) is not None:
                problems.append((("key", "procedures", i), f"key procedure {line!r}: {reason}"))

        def check_any(code: str) -> str | None:
            if _looks_like_diagnosis(code):
                return _check_diagnosis(code)
            return _check_procedure(code, cpt_registry, hcpcs_registry)

        known = {codesets.icd10cm.normalize(c) for c in diagnoses if isinstance(c, str)}
        for line in procedures if isinstance(procedures, list) else []:
            if isinstance(line, str):
                try:
                    known.add(codesets.lines.parse_procedure(line).code)
                except ValueError:
                    pass
                known.add(line.strip().upper())
        accept = key.get("accept") or {}
        if isinstance(accept, dict):
            for code, alternatives in accept.items():
                norm = codesets.icd10cm.normalize(code) if _looks_like_diagnosis(code) else code.strip().upper()
                base = norm.split("-")[0].split()[0]
                if norm not in known and base not in known:
                    problems.append((("key", "accept", code), f"accept: {code!r} is not one of the key's codes"))
                for j, alt in enumerate(alternatives if isinstance(alternatives, list) else []):
                    if isinstance(alt, str) and (reason := check_any(alt)) is not None:
                        problems.append((("key", "accept", code, j), f"accepted alternative {alt!r}: {reason}"))
        optional = key.get("optional") or []
        for i, code in enumerate(optional if isinstance(optional, list) else []):
            if isinstance(code, str) and (reason := check_any(code)) is not None:
                problems.append((("key", "optional", i), f"optional code {code!r}: {reason}"))
        return problems

    return check
