"""Search and describe codes for the open-book lookup (the page, the exam panel, the API).

ICD-10-CM comes from ``prep.codesets.icd10cm`` (its tables load on the first lookup, about
2.5 s, never at start-up); CPT and HCPCS Level II come from the files an instructor imported
(``prep.lookup.store``). Functions return plain dicts ready for JSON and raise
``LookupProblem`` (with an HTTP status) for input that cannot be answered.
"""

from __future__ import annotations

import re
from typing import Any

from prep.lookup import store

__all__ = [
    "SYSTEMS",
    "MAX_QUERY_LENGTH",
    "MAX_LIMIT",
    "DEFAULT_LIMIT",
    "LookupProblem",
    "parse_system",
    "parse_limit",
    "parse_query",
    "search",
    "detail",
    "systems",
    "not_loaded_message",
]

# id -> label, in the order the page offers them.
SYSTEMS = {"icd-10-cm": "ICD-10-CM", "hcpcs": "HCPCS Level II", "cpt": "CPT"}
_ALIASES = {"icd10cm": "icd-10-cm", "icd-10": "icd-10-cm", "icd10": "icd-10-cm", "icd": "icd-10-cm",
            "hcpcs-level-ii": "hcpcs", "hcpcs2": "hcpcs"}
MAX_QUERY_LENGTH = 100
MAX_LIMIT = 50
DEFAULT_LIMIT = 20
_CODE_CHARS = re.compile(r"[0-9A-Za-z.\-]{1,10}")

IMPORT_COMMAND = {"cpt": "flask codesets import-cpt", "hcpcs": "flask codesets import-hcpcs"}


class LookupProblem(Exception):
    """A lookup that cannot be answered: ``status`` 400 (bad input) or 404 (no such code, or
    no file loaded), ``name`` a short error id, ``message`` a sentence for the learner."""

    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.name = name
        self.message = message


def not_loaded_message(system: str) -> str:
    """What to say when no file of ``system`` ("cpt" or "hcpcs") has been imported."""
    if system == "cpt":
        return (
            "No CPT file is loaded: an instructor can import the institution's licensed file "
            "with flask codesets import-cpt"
        )
    return (
        "No HCPCS Level II file is loaded: an instructor can import CMS's quarterly file "
        "with flask codesets import-hcpcs"
    )


def parse_system(value: str | None) -> str:
    """The system id for ``value`` (default ICD-10-CM; case and a few aliases ignored).
    Raises LookupProblem(400) for anything else."""
    if value is None or not value.strip():
        return "icd-10-cm"
    key = value.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in SYSTEMS:
        raise LookupProblem(
            400, "unknown_system", f"Unknown code system {value.strip()[:20]!r}: use one of {', '.join(SYSTEMS)}."
        )
    return key


def parse_limit(value: str | None) -> int:
    """The number of results wanted: 1 to MAX_LIMIT, DEFAULT_LIMIT when not given.
    Raises LookupProblem(400) for anything else."""
    if value is None or value == "":
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise LookupProblem(400, "bad_limit", f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(value)


def parse_query(value: str | None) -> str:
    """The query with its white space tidied. Raises LookupProblem(400) when it is empty
    or longer than MAX_QUERY_LENGTH characters."""
    query = " ".join((value or "").split())
    if not query:
        raise LookupProblem(400, "empty_query", "Type a code (such as S52.5) or a few words to search for.")
    if len(query) > MAX_QUERY_LENGTH:
        raise LookupProblem(
            400, "query_too_long", f"The search is too long: use at most {MAX_QUERY_LENGTH} characters."
        )
    return query


def systems() -> list[dict[str, Any]]:
    """Every system the lookup knows, whether it has data, and why not when it has none."""
    out = []
    for system, label in SYSTEMS.items():
        entry: dict[str, Any] = {"id": system, "label": label, "loaded": True}
        if system != "icd-10-cm":
            loaded = store.loaded_set(system)
            entry["loaded"] = loaded is not None
            entry["count"] = len(loaded.codes) if loaded else 0
            if loaded is None:
                entry["message"] = not_loaded_message(system)
        out.append(entry)
    return out


def search(system: str, query: str, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """Search one system by code prefix or words.

    Takes a system id (see SYSTEMS), a query already checked by ``parse_query`` and a limit.
    Returns ``{"system", "query", "loaded", "results": [{"code", "description",
    "reportable"}]}``, plus ``"message"`` when no file of a CPT/HCPCS system is loaded or
    nothing matched. ICD-10-CM loads its tables on the first call.
    """
    out: dict[str, Any] = {"system": system, "query": query, "loaded": True}
    if system == "icd-10-cm":
        from prep.codesets import icd10cm  # lazily: the tables stay off start-up

        found = icd10cm.search(query, limit=limit)
        out["results"] = [
            {"code": code, "description": desc, "reportable": icd10cm.is_reportable(code)} for code, desc in found
        ]
    else:
        loaded = store.loaded_set(system)
        if loaded is None:
            out.update(loaded=False, results=[], message=not_loaded_message(system))
            return out
        out["results"] = [
            {"code": code, "description": desc, "reportable": True}
            for code, desc in loaded.index().search(query, limit=limit)
        ]
    if not out["results"]:
        out["message"] = f"No {SYSTEMS[system]} code matches {query!r}."
    return out


def _pairs(items, first: str, second: str) -> list[dict[str, str]]:
    return [{first: a, second: b} for a, b in items]


def _icd_detail(code: str) -> dict[str, Any]:
    from prep.codesets import icd10cm

    try:
        info = icd10cm.info(code)
    except KeyError:
        raise LookupProblem(404, "not_found", icd10cm.validate(code).message) from None
    verdict = icd10cm.validate(info["code"])
    seventh = info["seventh_character"]
    return {
        "system": "icd-10-cm",
        "code": info["code"],
        "description": info["description"],
        "reportable": info["reportable"],
        "reportable_note": verdict.message,
        "kind": info["kind"],
        "chapter": {"code": info["chapter"][0], "description": info["chapter"][1]},
        "block": {"code": info["block"][0], "description": info["block"][1]} if info["block"] else None,
        "parents": _pairs(info["parents"], "code", "description"),
        "children": _pairs(info["children"], "code", "description"),
        "notes": {
            key: _pairs(info[key], "source", "text")
            for key in ("excludes1", "excludes2", "code_first", "use_additional", "code_also", "includes", "notes")
        },
        "inclusion_terms": info["inclusion_terms"],
        "seventh_characters": _pairs(info["seventh_characters"].items(), "character", "meaning"),
        "seventh_note": info["seventh_note"],
        "seventh_character": {"character": seventh[0], "meaning": seventh[1]} if seventh else None,
    }


def _file_detail(system: str, code: str) -> dict[str, Any]:
    from prep.codesets import cpt, hcpcs

    module = cpt if system == "cpt" else hcpcs
    norm = module.normalize(code)
    loaded = store.loaded_set(system)
    if loaded is None:
        raise LookupProblem(404, "not_loaded", not_loaded_message(system))
    description = loaded.codes.get(norm)
    if description is None:
        verdict = module.validate(norm, loaded.codes)
        raise LookupProblem(404, "not_found", verdict.message)
    out: dict[str, Any] = {
        "system": system,
        "code": norm,
        "description": description,
        "reportable": True,
        "source": loaded.source,
    }
    if system == "cpt":
        out["kind"] = cpt.KIND_LABELS.get(cpt.kind(norm) or "", "")
    else:
        out["kind"] = "HCPCS Level II"
        out["section"] = hcpcs.SECTIONS.get(norm[0], "")
    return out


def detail(system: str, code: str) -> dict[str, Any]:
    """Everything known about one code.

    ICD-10-CM: description, reportable (and why not), kind, chapter, block, the parent chain
    from the category down, children, notes (Excludes1/Excludes2, code first, use additional
    code, code also, includes, other notes; each ``{"source", "text"}`` naming the level that
    carries it), inclusion terms and 7th characters. CPT/HCPCS: the imported descriptor and
    the code's kind. Raises LookupProblem: 400 for a string that cannot be a code, 404 for an
    unknown code or when no file of the system is loaded.
    """
    code = code.strip()
    if not _CODE_CHARS.fullmatch(code):
        raise LookupProblem(400, "bad_code", "A code has 1 to 10 letters, digits, dots or dashes (e.g. S52.521A).")
    if system == "icd-10-cm":
        return _icd_detail(code)
    return _file_detail(system, code)
