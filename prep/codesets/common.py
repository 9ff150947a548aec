"""Shared types for the code-set modules: the result of a validation and the
error raised for a malformed code file.

Nothing here imports Flask or the database: the code-set modules are pure.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Union

VALID = "valid"
INVALID = "invalid"
INCOMPLETE = "incomplete"
STATUSES = frozenset({VALID, INVALID, INCOMPLETE})


@dataclass(frozen=True)
class Validation:
    """The verdict on one code.

    Attributes:
        code: the normalised code, or the raw input stripped of surrounding
            white space when it could not be normalised.
        status: ``"valid"``, ``"invalid"`` or ``"incomplete"`` (an existing
            category or subcategory that needs more characters).
        message: a sentence for a person, saying why.
        description: the code's description when known, else ``None``.
    """

    code: str
    status: str
    message: str
    description: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown validation status {self.status!r}")

    @property
    def ok(self) -> bool:
        """True when the code may be reported as it is (status "valid")."""
        return self.status == VALID


class CodeFileError(ValueError):
    """A code file (CPT CSV, HCPCS file) that cannot be loaded.

    The whole file is rejected: ``line`` is the 1-based line number where the
    problem was found and ``reason`` says what is wrong with it.
    """

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")

    def __reduce__(self):  # keep pickling (e.g. across processes) working
        return (type(self), (self.line, self.reason))


PathOrFile = Union[str, "os.PathLike[str]", IO[str], IO[bytes]]


def read_text(path_or_file: PathOrFile) -> str:
    """Read a whole code file as text.

    Takes a path or an open file (text or binary). Bytes are decoded as UTF-8
    (a byte-order mark is dropped) and, failing that, as Windows-1252, the
    encoding older CMS and vendor files use. Returns the text with its line
    ends kept. Raises OSError when the path cannot be read.
    """
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, "rb") as fh:
            data: str | bytes = fh.read()
    else:
        data = path_or_file.read()
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    return data.lstrip("\ufeff")


def header_key(name: str) -> str:
    """Fold a column header for matching: lower case, letters and digits
    only ("Long Description" -> "longdescription"). Never raises."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def sniff_delimiter(first_line: str) -> str:
    """Guess the delimiter of a delimited file from its first line.

    Takes the first line; returns ``"\\t"``, ``"|"``, ``";"`` or ``","``
    (the default), whichever occurs and comes first in that order of
    preference. Never raises.
    """
    for delim in ("\t", "|", ";"):
        if delim in first_line and "," not in first_line:
            return delim
    return ","


def parse_code_csv(
    text: str,
    *,
    what: str,
    code_headers: Iterable[str],
    description_headers: Iterable[str],
    normalize: Callable[[str], str],
    check_code: Callable[[str], str | None],
    classify: Callable[[dict[str, str]], str] | None = None,
    skip: Callable[[str], bool] | None = None,
) -> dict[str, str]:
    """Parse a delimited code file into ``{code: description}``.

    Takes the file's text and:
      * ``what``: the name of the code set, used in messages ("CPT");
      * ``code_headers`` / ``description_headers``: accepted header names in
        order of preference (matched ignoring case, spaces and underscores);
      * ``normalize``: turns a raw code into its canonical form;
      * ``check_code``: returns ``None`` for an acceptable normalised code or
        a reason why it is not one;
      * ``classify``: optional; given a row of a file with a header, as
        ``{folded header: cell}`` (headers folded by ``header_key``),
        returns "first" (a code and its description), "continuation" (more
        description for the previous row's code, as CMS's RECID 4 rows) or
        "skip" (a row to ignore, such as CMS's modifier rows);
      * ``skip``: optional; codes for which it returns True are left out.

    A first row whose first cell already is an acceptable code is taken as
    data, with the code in column 1 and the description in column 2 (files
    without a header). Returns the mapping. Raises CodeFileError (line,
    reason) on the first malformed row: the file is rejected whole.
    """
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    if not text.strip():
        raise CodeFileError(1, f"the {what} file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    rows: Iterator[list[str]] = iter(reader)
    try:
        header = next(rows)
    except csv.Error as exc:
        raise CodeFileError(reader.line_num or 1, f"unreadable CSV: {exc}") from None

    header_keys = [header_key(h) for h in header]
    code_col = desc_col = None
    pending: list[tuple[int, list[str]]] = []
    first_cell = header[0].strip() if header else ""
    if first_cell and check_code(normalize(first_cell)) is None and len(header) >= 2:
        code_col, desc_col = 0, 1  # no header: code, description
        pending.append((reader.line_num, header))
        header_keys = []
    else:
        for wanted in code_headers:
            if header_key(wanted) in header_keys:
                code_col = header_keys.index(header_key(wanted))
                break
        for wanted in description_headers:
            if header_key(wanted) in header_keys:
                desc_col = header_keys.index(header_key(wanted))
                break
        if code_col is None:
            raise CodeFileError(
                1, f"no code column in the header (expected one of: {', '.join(code_headers)})"
            )
        if desc_col is None:
            raise CodeFileError(
                1,
                f"no description column in the header (expected one of: {', '.join(description_headers)})",
            )

    result: dict[str, str] = {}
    last_code: str | None = None
    width = max(code_col, desc_col) + 1

    def handle(line_no: int, row: list[str]) -> None:
        nonlocal last_code
        if not any(cell.strip() for cell in row):
            return
        if len(row) < width:
            raise CodeFileError(line_no, f"expected at least {width} columns, found {len(row)}")
        raw_code = row[code_col].strip()
        desc = " ".join(row[desc_col].split())
        if classify is not None and header_keys:
            named = {header_keys[i]: cell.strip() for i, cell in enumerate(row) if i < len(header_keys)}
            row_kind = classify(named)
            if row_kind == "skip":
                return
            if row_kind == "continuation":
                code = normalize(raw_code)
                if last_code is None or code != last_code:
                    raise CodeFileError(
                        line_no, f"continuation line for {raw_code or '(no code)'} follows no first line"
                    )
                if last_code in result and desc:
                    result[last_code] = f"{result[last_code]} {desc}"
                return
        if not raw_code:
            raise CodeFileError(line_no, "the code cell is empty")
        code = normalize(raw_code)
        problem = check_code(code)
        if problem is not None:
            raise CodeFileError(line_no, problem)
        last_code = code
        if skip is not None and skip(code):
            return
        if not desc:
            raise CodeFileError(line_no, f"{code} has no description")
        if code in result and result[code] != desc:
            raise CodeFileError(line_no, f"{code} appears twice with different descriptions")
        result[code] = desc

    for line_no, row in pending:
        handle(line_no, row)
    try:
        for row in rows:
            handle(reader.line_num, row)
    except csv.Error as exc:
        raise CodeFileError(reader.line_num, f"unreadable CSV: {exc}") from None
    if not result:
        raise CodeFileError(max(reader.line_num, 1), f"the {what} file holds no codes")
    return result
