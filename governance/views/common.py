"""Small helpers the governance views share."""

from __future__ import annotations

from flask_wtf import FlaskForm

from governance.errors import DomainError
from governance.extensions import db


def refuse(form: FlaskForm, error: DomainError, default_field: str | None = None) -> None:
    """Undo whatever the failed operation wrote and show its message on the form."""
    db.session.rollback()
    field_name = error.field if error.field in form._fields else default_field
    if field_name and field_name in form._fields:
        form._fields[field_name].errors = [*form._fields[field_name].errors, error.message]
    else:
        form.form_errors.append(error.message)
