"""Domain errors raised by services, and the error pages of the site.

A domain error carries a message for the member (lazily translated) and,
optionally, the form field it concerns. Views turn it into a form error; if one
ever escapes a view, the handler below shows it with status 400 or 403.
"""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from governance.extensions import db


class DomainError(Exception):
    """An operation refused for a reason the member can understand."""

    status = 400

    def __init__(self, message: object, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class TokenInvalid(DomainError):
    status = 410


def register_error_handlers(app: Flask) -> None:
    def page(status: int, title: object, message: object):
        db.session.rollback()
        return render_template("errors.html", title=title, message=message, status=status), status

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return page(
            400,
            _l("This form could not be accepted"),
            _l(
                "The form was sent without its security token, or the token has expired. "
                "Nothing was changed. Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return page(error.status, _l("This could not be done"), error.message)

    @app.errorhandler(400)
    def bad_request(_error):
        return page(400, _l("Bad request"), _l("The request could not be understood."))

    @app.errorhandler(403)
    def forbidden(_error):
        return page(403, _l("Not allowed"), _l("You do not have permission to see or do this."))

    @app.errorhandler(404)
    def not_found(_error):
        return page(404, _l("Page not found"), _l("There is nothing at this address."))

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return page(405, _l("Not allowed"), _l("This address does not accept that request."))

    @app.errorhandler(413)
    def too_large(_error):
        return page(413, _l("File too large"), _l("The file you sent is too large."))

    @app.errorhandler(500)
    def server_error(_error):
        return page(
            500,
            _l("Something went wrong"),
            _l("An error on our side stopped this request. Nothing was changed. Please try again."),
        )
