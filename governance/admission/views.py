"""The admission criteria, readable by anyone (blueprint ``admission``): the
version in force, any earlier version, and what changed between two."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale

from governance.admission import criteria
from governance.errors import NotFound
from governance.web import public

bp = Blueprint("admission", __name__)


def version_or_none(number: object) -> object:
    if type(number) is not int or number < 1:
        return None
    try:
        return criteria.get_version(number)
    except NotFound:
        return None


def reader_language() -> str:
    return str(get_locale() or "es")


def _globals() -> dict:
    from governance.admission.criteria_kind import proposed_version

    return {
        "criteria_proposed_version": proposed_version,
        "criteria_version_or_none": version_or_none,
        "criteria_compare": criteria.compare,
        "criteria_reader_language": reader_language,
    }


bp.record_once(lambda state: state.app.jinja_env.globals.update(_globals()))


@bp.get("/criteria")
@public
def criteria_page() -> str:
    versions = criteria.all_versions()
    return render_template(
        "admission/criteria.html",
        version=versions[0] if versions else None,
        versions=versions,
        language=reader_language(),
    )


@bp.get("/criteria/v<int:number>")
@public
def version_page(number: int) -> str:
    try:
        version = criteria.get_version(number)
    except NotFound:
        abort(404)
    return render_template(
        "admission/criteria.html",
        version=version,
        versions=criteria.all_versions(),
        language=reader_language(),
    )


@bp.get("/criteria/compare")
@public
def compare_page() -> str:
    versions = criteria.all_versions()
    numbers = [version.number for version in versions]
    old_number = request.args.get("old", type=int)
    new_number = request.args.get("new", type=int)
    if old_number is None or new_number is None:
        new_number = numbers[0] if numbers else None
        old_number = numbers[1] if len(numbers) > 1 else new_number
    if old_number not in numbers or new_number not in numbers:
        abort(404)
    old, new = criteria.get_version(old_number), criteria.get_version(new_number)
    return render_template(
        "admission/compare.html",
        old=old,
        new=new,
        versions=versions,
        version=new,
        rows=criteria.compare(old, new, reader_language()),
        language=reader_language(),
    )
