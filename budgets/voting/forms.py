"""The forms of the ballot page: the district choice and one pot's paper.

WTForms carries the CSRF token and the pot; the marks are read from the posted
fields by ``read_marks``, whose names the templates share: ``project`` (ticked
boxes, or the chosen radio), ``points-<id>`` and ``rank-<id>``.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField

from budgets.models import BallotForm
from budgets.voting.marks import InvalidPaper, field_of
from votes.reading import whole_number


class DistrictForm(FlaskForm):
    """The CSRF token; the district is the ``district`` radio."""


class CastForm(FlaskForm):
    """The CSRF token and the pot; the marks are read by ``read_marks``."""

    pot = HiddenField()


def read_marks(form: BallotForm, data: MultiDict, project_ids: Iterable[int]) -> dict[int, int]:
    """The marks of a posted paper, by project id. A project id that is not on the
    ballot is passed on (the service refuses it); a number that is not a whole
    number is refused here, naming its field."""
    if form in (BallotForm.APPROVAL, BallotForm.KNAPSACK, BallotForm.CHOOSE_ONE):
        marks = {}
        for raw in data.getlist("project"):
            project_id = whole_number(raw)
            if project_id is None:
                raise InvalidPaper(
                    _l("A project you marked is not on this ballot. Reload the page and try again.")
                )
            marks[project_id] = 1
        return marks
    prefix = "points" if form is BallotForm.CUMULATIVE else "rank"
    marks = {}
    for project_id in project_ids:
        raw = (data.get(f"{prefix}-{project_id}") or "").strip()
        if not raw:
            continue
        value = whole_number(raw)
        if value is None:
            message = (
                _l("Write a whole number of points, 0 or more.")
                if form is BallotForm.CUMULATIVE
                else _l("Choose a rank from the list.")
            )
            raise InvalidPaper(message, field=field_of(project_id))
        marks[project_id] = value
    return marks
