"""The question-bank file format: reading with line numbers, validating, writing.

Plain Python (no Flask, no database). A bank file is YAML (or JSON, which the same
reader accepts) holding a mapping with a list under ``items``; ``question_bank/schema.json``
is the contract. Every problem found is reported as ``file:line: reason`` so an author can
jump straight to it; a file with any problem is rejected whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent.parent.parent / "question_bank" / "schema.json"
BANK_SUFFIXES = (".yaml", ".yml", ".json")
# Field order in written files, so exports are stable and read well.
ITEM_FIELD_ORDER = ("id", "type", "domain", "difficulty", "status", "tags", "stem", "choices", "key", "rationale")
KEY_FIELD_ORDER = ("diagnoses", "procedures", "accept", "optional")
BLUEPRINT_FIELD_ORDER = (
    "id", "name", "description", "mode", "status", "time_limit_minutes", "pass_percent", "shuffle_choices",
    "lookup", "review", "window_closes", "warnings_minutes", "sections",
)


@dataclass(frozen=True, order=True)
class BankError:
    """One problem in a bank file: where it is and what is wrong."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class LoadedItem:
    """An item read from a file, with where it came from."""

    data: dict[str, Any]
    file: str
    line: int


@dataclass
class LoadResult:
    items: list[LoadedItem] = field(default_factory=list)
    blueprints: list[LoadedItem] = field(default_factory=list)
    errors: list[BankError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class BankFormatError(Exception):
    """Raised when bank input has problems; ``errors`` lists every one of them."""

    def __init__(self, errors: Iterable[BankError]):
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@cache
def schema_validator() -> jsonschema.Draft202012Validator:
    """The JSON Schema validator for bank files (read once)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that also records the line of every mapping key and list entry."""


def _compose_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _LineLoader.construct_object(_LOADER_PROTO, key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _compose_lines(value_node, path + (key,), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_compose_lines(child, path + (i,), lines) for i, child in enumerate(node.value)]
    return _LineLoader.construct_object(_LOADER_PROTO, node, deep=True)


_LOADER_PROTO = _LineLoader("")


def parse_text(text: str) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML/JSON ``text``; return the data and a map from data path to 1-based line.

    Raises ``yaml.YAMLError`` (with a ``problem_mark``) on syntax errors and duplicate keys.
    """
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {}
    if node is None:
        return None, lines
    return _compose_lines(node, (), lines), lines


def _line_for(path: Iterable[Any], lines: dict[tuple, int]) -> int:
    path = tuple(path)
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def _schema_message(error: jsonschema.ValidationError) -> str:
    """A short, human message for a schema error, naming the field."""
    parts = list(error.absolute_path)
    if len(parts) >= 2 and parts[0] == "items" and isinstance(parts[1], int):
        parts = parts[2:]
    where = ".".join(str(p) for p in parts if not isinstance(p, int)) or ("item" if error.absolute_path else "file")
    if error.validator == "required":
        return f"{where}: {error.message}"
    if error.validator == "additionalProperties":
        return f"{where}: {error.message}"
    if error.validator == "enum" and where.endswith("domain"):
        return f"unknown domain {error.instance!r} (use one of the area slugs in question_bank/README)"
    if error.validator == "pattern" and where.endswith("id"):
        return f"id {error.instance!r} must be lowercase letters, digits and single hyphens"
    if error.validator == "anyOf" and where.endswith("key"):
        return "key: a coding key needs at least one diagnosis or one procedure"
    if error.validator == "anyOf" and not error.absolute_path:
        return "the file needs a list under 'items' or 'blueprints'"
    return f"{where}: {error.message}"


def _best_errors(validator: jsonschema.Draft202012Validator, doc: Any) -> list[jsonschema.ValidationError]:
    """Flatten if/then/allOf wrappers so each leaf problem is reported once, at its place."""
    out = []
    for error in validator.iter_errors(doc):
        stack = [error]
        while stack:
            e = stack.pop()
            if e.context and e.validator not in ("anyOf", "oneOf"):
                stack.extend(e.context)
            else:
                out.append(e)
    return out


CodeChecker = Callable[[dict[str, Any]], list[tuple[tuple, str]]]


def check_item_semantics(item: dict[str, Any]) -> list[tuple[tuple, str]]:
    """Rules the schema cannot say. Returns (path inside the item, reason) pairs.

    An MCQ needs exactly one correct choice (multiple-response items will get their own type),
    and its choice texts must differ.
    """
    problems: list[tuple[tuple, str]] = []
    if item.get("type", "mcq") == "mcq" and isinstance(item.get("choices"), list):
        choices = item["choices"]
        correct = [i for i, c in enumerate(choices) if isinstance(c, dict) and c.get("correct") is True]
        if len(correct) == 0:
            problems.append((("choices",), "an MCQ needs exactly one correct choice; none is marked correct"))
        elif len(correct) > 1:
            numbers = ", ".join(str(i + 1) for i in correct)
            problems.append((("choices", correct[1]), f"an MCQ needs exactly one correct choice; choices {numbers} are all marked correct"))
        seen: dict[str, int] = {}
        for i, c in enumerate(choices):
            if isinstance(c, dict) and isinstance(c.get("text"), str):
                t = " ".join(c["text"].split()).lower()
                if t in seen:
                    problems.append((("choices", i), f"choice {i + 1} repeats choice {seen[t] + 1}"))
                seen.setdefault(t, i)
    return problems


def check_blueprint_semantics(bp: dict[str, Any]) -> list[tuple[tuple, str]]:
    """Rules for a blueprint that the schema cannot say. Returns (path, reason) pairs."""
    problems: list[tuple[tuple, str]] = []
    mode = bp.get("mode")
    limit = bp.get("time_limit_minutes")
    if mode == "timed" and not limit:
        problems.append((("mode",), "a timed blueprint needs time_limit_minutes"))
    if mode == "practice" and limit:
        problems.append((("time_limit_minutes",), "a practice blueprint is untimed: leave out time_limit_minutes"))
    if bp.get("review") == "after_window":
        closes = bp.get("window_closes")
        if not closes:
            problems.append((("review",), "review: after_window needs window_closes (an ISO 8601 date-time with zone)"))
    closes = bp.get("window_closes")
    if isinstance(closes, str):
        try:
            parsed = datetime.fromisoformat(closes)
        except ValueError:
            problems.append((("window_closes",), f"window_closes {closes!r} is not an ISO 8601 date-time"))
        else:
            if parsed.tzinfo is None:
                problems.append((("window_closes",), "window_closes needs a zone, e.g. 2026-12-01T17:00:00+00:00"))
    warnings = bp.get("warnings_minutes") or []
    if isinstance(limit, int) and isinstance(warnings, list):
        for i, w in enumerate(warnings):
            if isinstance(w, int) and w >= limit:
                problems.append((("warnings_minutes", i), f"a warning at {w} minutes does not fit a {limit}-minute exam"))
    seen: set[tuple[str, str]] = set()
    for i, section in enumerate(bp.get("sections") or []):
        if isinstance(section, dict) and isinstance(section.get("domain"), str):
            key = (section["domain"], section.get("type", "mcq"))
            if key in seen:
                problems.append((("sections", i), f"area {section['domain']!r} is listed twice"))
            seen.add(key)
    return problems


def canonical_blueprint(bp: dict[str, Any]) -> dict[str, Any]:
    """Return a blueprint with every default made explicit, fields in a fixed order."""
    full = dict(bp)
    full.setdefault("status", "published")
    full.setdefault("time_limit_minutes", None)
    full.setdefault("shuffle_choices", True)
    full.setdefault("lookup", False)
    full.setdefault("review", "after_submit")
    full.setdefault("window_closes", None)
    full.setdefault("warnings_minutes", [30, 5] if full.get("mode") == "timed" else [])
    out = {name: full[name] for name in BLUEPRINT_FIELD_ORDER if name in full}
    for name, value in full.items():
        out.setdefault(name, value)
    return out


def canonical_item(item: dict[str, Any]) -> dict[str, Any]:
    """Return ``item`` in canonical form: fields in a fixed order, ``status`` explicit.

    Export writes this form and import stores it, so a bank round-trips exactly.
    """
    out: dict[str, Any] = {}
    full = dict(item)
    full.setdefault("status", "published")
    for name in ITEM_FIELD_ORDER:
        if name in full:
            out[name] = full[name]
    if "key" in out and isinstance(out["key"], dict):
        out["key"] = {k: out["key"][k] for k in KEY_FIELD_ORDER if k in out["key"]}
    for name, value in full.items():  # unknown fields are kept (the schema rejects them anyway)
        out.setdefault(name, value)
    return out


def load_text(text: str, filename: str, code_checker: CodeChecker | None = None) -> LoadResult:
    """Read one bank file's text and check it. Never raises for bad input: see ``errors``.

    ``code_checker`` (optional) takes an item and returns (path, reason) pairs for codes in it
    that do not exist or cannot be reported; the app passes one built on ``prep.codesets``.
    """
    result = LoadResult()
    try:
        doc, lines = parse_text(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        result.errors.append(BankError(filename, line, f"YAML syntax error: {problem}"))
        return result
    if doc is None:
        result.errors.append(BankError(filename, 1, "the file is empty (expected a mapping with a list under 'items')"))
        return result
    if not isinstance(doc, dict):
        result.errors.append(BankError(filename, 1, "expected a mapping with a list under 'items'"))
        return result

    for error in _best_errors(schema_validator(), doc):
        result.errors.append(BankError(filename, _line_for(error.absolute_path, lines), _schema_message(error)))
    blueprints = doc.get("blueprints")
    for index, bp in enumerate(blueprints if isinstance(blueprints, list) else []):
        if not isinstance(bp, dict):
            continue
        base = ("blueprints", index)
        for path, reason in check_blueprint_semantics(bp):
            result.errors.append(BankError(filename, _line_for(base + tuple(path), lines), reason))
        result.blueprints.append(LoadedItem(canonical_blueprint(bp), filename, _line_for(base, lines)))
    items = doc.get("items")
    if not isinstance(items, list):
        result.errors = sorted(set(result.errors))
        return result
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        base = ("items", index)
        line = _line_for(base, lines)
        checks = check_item_semantics(item)
        if code_checker is not None and item.get("type") == "coding" and isinstance(item.get("key"), dict):
            checks += code_checker(item)
        for path, reason in checks:
            result.errors.append(BankError(filename, _line_for(base + tuple(path), lines), reason))
        result.items.append(LoadedItem(canonical_item(item), filename, line))
    result.errors = sorted(set(result.errors))
    return result


def bank_files(path: str | Path) -> list[Path]:
    """The bank files at ``path``: the file itself, or every YAML/JSON file under a folder, sorted.

    ``schema.json`` and files beginning with ``_`` or ``.`` are skipped. Raises ``FileNotFoundError``.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if p.is_file():
        return [p]
    return sorted(
        f for f in p.rglob("*")
        if f.is_file() and f.suffix in BANK_SUFFIXES and f.name != "schema.json"
        and not any(part.startswith((".", "_")) for part in f.relative_to(p).parts)
    )


def load_paths(paths: Iterable[str | Path], code_checker: CodeChecker | None = None) -> LoadResult:
    """Read and check every bank file under ``paths``; also reject ids used twice across files."""
    total = LoadResult()
    files: list[Path] = []
    for path in paths:
        try:
            files.extend(bank_files(path))
        except FileNotFoundError as exc:
            total.errors.append(BankError(str(path), 0, str(exc).split(": ", 1)[-1]))
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            total.errors.append(BankError(str(f), 1, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
            continue
        result = load_text(text, str(f), code_checker)
        total.items.extend(result.items)
        total.blueprints.extend(result.blueprints)
        total.errors.extend(result.errors)
    for kind, entries in (("id", total.items), ("blueprint id", total.blueprints)):
        first_seen: dict[str, LoadedItem] = {}
        for li in entries:
            slug = li.data.get("id")
            if not isinstance(slug, str):
                continue
            if slug in first_seen:
                prev = first_seen[slug]
                total.errors.append(BankError(li.file, li.line, f"duplicate {kind} {slug!r} (first used at {prev.file}:{prev.line})"))
            else:
                first_seen[slug] = li
    if not files and not total.errors:
        total.errors.append(BankError(", ".join(str(p) for p in paths), 0, "no bank files (.yaml, .yml, .json) found"))
    total.errors = sorted(set(total.errors))
    return total


class _BankDumper(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks so stems and rationales stay readable."""


def _str_representer(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        # A block scalar cannot keep trailing spaces on a line; fall back to quoting then.
        style = "|" if not any(line != line.rstrip() for line in value.split("\n")) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_BankDumper.add_representer(str, _str_representer)


def dump_items(items: list[dict[str, Any]], as_json: bool = False, blueprints: list[dict[str, Any]] | None = None) -> str:
    """Serialise canonical ``items`` (and ``blueprints``) as a bank file (YAML by default, or JSON)."""
    doc: dict[str, Any] = {"format": FORMAT_VERSION}
    if blueprints:
        doc["blueprints"] = [canonical_blueprint(b) for b in blueprints]
    if items or not blueprints:
        doc["items"] = [canonical_item(i) for i in items]
    if as_json:
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(doc, Dumper=_BankDumper, sort_keys=False, allow_unicode=True, width=100)
