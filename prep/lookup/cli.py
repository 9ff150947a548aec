"""``flask codesets ...``: import the institution's CPT file and CMS's HCPCS file, see what is
loaded, clear a set, and warm the ICD-10-CM tables.

Never prints descriptors: CPT text is licensed to the institution, not to whoever reads logs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup

from prep.extensions import db

codesets_cli = AppGroup(
    "codesets", help="Import licensed code files (CPT, HCPCS Level II), show what is loaded, warm ICD-10-CM."
)

LABELS = {"cpt": "CPT", "hcpcs": "HCPCS Level II"}


def _import(system: str, path: str, loader: Callable[[str], dict[str, str]]) -> None:
    """Parse the whole file, then replace the set in one transaction; any problem and nothing changes."""
    from prep.codesets import CodeFileError
    from prep.dbtypes import utcnow
    from prep.lookup import store

    try:
        codes = loader(path)
    except CodeFileError as exc:
        click.echo(f"{path}: line {exc.line}: {exc.reason}", err=True)
        click.echo(f"The {LABELS[system]} file was rejected; nothing was changed.", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"{path}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    try:
        report = store.replace_code_set(system, codes, source=Path(path).name, now=utcnow())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    store.invalidate(system)
    click.echo(
        f"Imported {report.added} {LABELS[system]} code(s) from {Path(path).name} "
        f"(replacing {report.removed}); other server processes see them within a few seconds."
    )


@codesets_cli.command("import-cpt")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_cpt(path: str) -> None:
    """Replace the CPT codes with the institution's licensed file (CSV, tab, pipe or semicolon
    delimited, with a code and a descriptor column)."""
    from prep.codesets.cpt import load_cpt_csv

    _import("cpt", path, load_cpt_csv)


@codesets_cli.command("import-hcpcs")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_hcpcs(path: str) -> None:
    """Replace the HCPCS Level II codes with CMS's file (the fixed-width alpha-numeric file or
    its CSV form). D codes (the ADA's CDT) are skipped."""
    from prep.codesets.hcpcs import load_hcpcs_file

    _import("hcpcs", path, load_hcpcs_file)


@codesets_cli.command("clear")
@click.argument("system", type=click.Choice(["cpt", "hcpcs"]))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def clear(system: str, yes: bool) -> None:
    """Remove every imported code of SYSTEM (e.g. when the CPT licence ends)."""
    from prep.dbtypes import utcnow
    from prep.lookup import store

    if not yes:
        click.confirm(f"Remove every imported {LABELS[system]} code?", abort=True)
    removed = store.clear_code_set(system, utcnow())
    db.session.commit()
    store.invalidate(system)
    click.echo(f"Removed {removed} {LABELS[system]} code(s).")


@codesets_cli.command("status")
def status() -> None:
    """How many codes each imported set holds, from which file and when."""
    from importlib.metadata import PackageNotFoundError, version

    from prep.lookup import store

    for system, info in store.status().items():
        if info["count"]:
            when = info["imported_at"].strftime("%Y-%m-%d %H:%M UTC") if info["imported_at"] else "?"
            click.echo(f"{system:<10} {info['count']:>7} codes  imported {when} from {info['source'] or '?'}")
        else:
            click.echo(f"{system:<10} {0:>7} codes  (not loaded: flask codesets import-{system} FILE)")
    try:
        icd_version = version("simple-icd-10-cm")
    except PackageNotFoundError:
        icd_version = "missing"
    click.echo(f"{'icd-10-cm':<10} shipped   simple-icd-10-cm {icd_version}, loaded on the first lookup")


@codesets_cli.command("warm")
def warm() -> None:
    """Load the ICD-10-CM tables and search index (and any imported files) in this process and
    print how long each took: a check after installing or upgrading. To have server processes
    start warm, set LOOKUP_WARM_ON_START=1 instead."""
    from prep.codesets import icd10cm
    from prep.lookup import store

    started = time.perf_counter()
    icd10cm.warm(index=False)
    tables = time.perf_counter() - started
    started = time.perf_counter()
    icd10cm.warm()
    index = time.perf_counter() - started
    click.echo(f"ICD-10-CM tables loaded in {tables:.2f} s, search index built in {index:.2f} s.")
    for system in ("cpt", "hcpcs"):
        started = time.perf_counter()
        loaded = store.loaded_set(system)
        if loaded is None:
            click.echo(f"{LABELS[system]}: no file loaded.")
            continue
        loaded.index()
        click.echo(f"{LABELS[system]}: {len(loaded.codes)} code(s) loaded and indexed in {time.perf_counter() - started:.2f} s.")
