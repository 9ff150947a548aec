"""Command-line tools: ``flask bank ...`` and ``flask users ...``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from prep.extensions import db

bank_cli = AppGroup("bank", help="Validate, import and export question-bank files.")
users_cli = AppGroup("users", help="Create and manage accounts.")


def _load(paths: tuple[str, ...]):
    from sqlalchemy.exc import SQLAlchemyError

    from prep.bank.codecheck import make_code_checker
    from prep.bank.format import load_paths
    from prep.lookup.store import cpt_registry, hcpcs_registry

    try:  # key codes are checked against the imported CPT/HCPCS files when there are some
        cpt, hcpcs = cpt_registry(), hcpcs_registry()
    except SQLAlchemyError:
        db.session.rollback()
        cpt = hcpcs = None
        click.echo("Note: the code-set tables could not be read (run flask db upgrade); "
                   "CPT and HCPCS codes are checked for shape only.", err=True)
    return load_paths(paths, code_checker=make_code_checker(cpt_registry=cpt, hcpcs_registry=hcpcs))


def _print_errors(result) -> None:
    for error in result.errors:
        click.echo(str(error), err=True)
    click.echo(f"{len(result.errors)} problem(s) found; nothing was written.", err=True)


@bank_cli.command("validate")
@click.argument("paths", nargs=-1, required=True)
def bank_validate(paths: tuple[str, ...]) -> None:
    """Check bank files (a file or a folder) without writing anything."""
    result = _load(paths)
    if result.errors:
        for error in result.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(result.errors)} problem(s) in {len(result.items)} item(s).", err=True)
        sys.exit(1)
    click.echo(f"OK: {len(result.items)} item(s) and {len(result.blueprints)} blueprint(s) valid.")


@bank_cli.command("import")
@click.argument("paths", nargs=-1, required=True)
def bank_import(paths: tuple[str, ...]) -> None:
    """Create or update items and blueprints by id, in one transaction: any problem and nothing is written."""
    from prep.bank.operations import upsert_items
    from prep.exams.operations import upsert_blueprints

    result = _load(paths)
    if result.errors:
        _print_errors(result)
        sys.exit(1)
    try:
        report = upsert_items(result.items)
        bp_report = upsert_blueprints(result.blueprints)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Imported {len(result.items)} item(s): {report.summary()}.")
    if result.blueprints:
        click.echo(f"Imported {len(result.blueprints)} blueprint(s): {bp_report.summary()}.")


@bank_cli.command("export")
@click.argument("path")
@click.option("--domain", help="Only this area (a slug such as icd-10-cm).")
@click.option("--json", "as_json", is_flag=True, help="Write JSON instead of YAML.")
def bank_export(path: str, domain: str | None, as_json: bool) -> None:
    """Write the bank to PATH: one file (.yaml/.yml/.json), or a folder with one file per area."""
    from prep.bank.format import dump_items
    from prep.bank.operations import all_items_for_export
    from prep.exams.models import ExamBlueprint

    items = all_items_for_export(domain)
    blueprints = [] if domain else [b.content for b in db.session.scalars(db.select(ExamBlueprint).order_by(ExamBlueprint.slug))]
    target = Path(path)
    if target.suffix in (".yaml", ".yml", ".json"):
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, dump_items(items, as_json=as_json or target.suffix == ".json", blueprints=blueprints))
        click.echo(f"Wrote {len(items)} item(s) and {len(blueprints)} blueprint(s) to {target}.")
        return
    target.mkdir(parents=True, exist_ok=True)
    by_domain: dict[str, list] = {}
    for item in items:
        by_domain.setdefault(item["domain"], []).append(item)
    suffix = ".json" if as_json else ".yaml"
    for d, group in by_domain.items():
        _atomic_write(target / f"{d}{suffix}", dump_items(group, as_json=as_json))
    if blueprints:
        _atomic_write(target / f"blueprints{suffix}", dump_items([], as_json=as_json, blueprints=blueprints))
    files = len(by_domain) + (1 if blueprints else 0)
    click.echo(f"Wrote {len(items)} item(s) and {len(blueprints)} blueprint(s) to {files} file(s) in {target}/.")


def _atomic_write(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


@users_cli.command("demo")
def users_demo() -> None:
    """Create the demo learner, instructor and admin if missing; print new passwords once."""
    from prep.auth.operations import DEMO_ACCOUNTS, ensure_demo_accounts

    created = ensure_demo_accounts()
    db.session.commit()
    if created:
        click.echo("Demo accounts (passwords are shown this once; write them down):")
        for email, role, password in created:
            click.echo(f"  {role:<10} {email:<26} password: {password}")
    else:
        emails = ", ".join(e for e, _, _ in DEMO_ACCOUNTS)
        click.echo(f"Demo accounts already exist ({emails}).")
        click.echo("Forgot a password? Run: make reset-password EMAIL=learner@example.com")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["learner", "instructor", "admin"]), default="learner")
@click.password_option()
def users_create(email: str, name: str, role: str, password: str) -> None:
    """Create an account."""
    from prep.auth.operations import AccountError, create_user

    if len(password) < 10:
        raise click.UsageError("Use a password of at least 10 characters.")
    try:
        create_user(email, name, password, role)
    except AccountError as exc:
        raise click.UsageError(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@users_cli.command("reset-password")
@click.argument("email")
def users_reset_password(email: str) -> None:
    """Give an account a new random password and print it."""
    from prep.auth.operations import find_user, reset_password

    user = find_user(email)
    if user is None:
        raise click.UsageError(f"No account with email {email}.")
    password = reset_password(user)
    db.session.commit()
    click.echo(f"New password for {user.email}: {password}")


@users_cli.command("list")
def users_list() -> None:
    """List accounts."""
    from prep.auth.models import User

    for user in db.session.scalars(db.select(User).order_by(User.email)):
        click.echo(f"{user.role:<10} {'active' if user.active else 'disabled':<8} {user.email}  {user.name}")


exams_cli = AppGroup("exams", help="Exam housekeeping.")


@exams_cli.command("expire")
def exams_expire() -> None:
    """Finalise (as expired, graded on saved answers) every timed attempt past its deadline."""
    from prep.dbtypes import utcnow
    from prep.exams.operations import expire_overdue

    count = expire_overdue(utcnow())
    db.session.commit()
    click.echo(f"Finalised {count} overdue attempt(s).")


def register_cli(app: Flask) -> None:
    from prep.lookup.cli import codesets_cli

    app.cli.add_command(codesets_cli)
    app.cli.add_command(exams_cli)
    app.cli.add_command(bank_cli)
    app.cli.add_command(users_cli)
