"""How the admission process's states and verdicts read, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from governance.admission.application_models import (
    ApplicationState,
    ConcernState,
    MilestoneStatus,
    Verdict,
)

STATE_NAMES = {
    ApplicationState.UNCONFIRMED: _l("waiting for the email to be confirmed"),
    ApplicationState.SUBMITTED: _l("sent, waiting for the reviewers"),
    ApplicationState.IN_REVIEW: _l("being reviewed"),
    ApplicationState.IN_VOTE: _l("before a vote"),
    ApplicationState.ADMITTED: _l("admitted"),
    ApplicationState.NOT_ADMITTED: _l("not admitted"),
    ApplicationState.WITHDRAWN: _l("withdrawn"),
}
# What the applicant reads on the status page, one sentence per state.
STATE_EXPLANATIONS = {
    ApplicationState.UNCONFIRMED: _l(
        "Open the link we mailed to your contact address to send the application."
    ),
    ApplicationState.SUBMITTED: _l(
        "Your application has reached the network. Its reviewers will read it and assess "
        "each criterion; they may ask you questions here."
    ),
    ApplicationState.IN_REVIEW: _l(
        "The reviewers are assessing each criterion. Answer their questions below: it "
        "helps them decide."
    ),
    ApplicationState.IN_VOTE: _l(
        "The reviewers have sent your application to the network's vote. You will receive "
        "the result by email."
    ),
    ApplicationState.ADMITTED: _l(
        "The network admitted your organization. Your delegate receives an invitation by "
        "email to take its seat."
    ),
    ApplicationState.NOT_ADMITTED: _l(
        "The network's vote did not admit your organization. The reasons are below."
    ),
    ApplicationState.WITHDRAWN: _l("You withdrew this application."),
}
VERDICT_NAMES = {
    Verdict.MEETS: _l("Meets it"),
    Verdict.MEETS_WITH_TRANSITION: _l("Meets it with a transition"),
    Verdict.DOES_NOT_MEET: _l("Does not meet it"),
}
MILESTONE_NAMES = {
    MilestoneStatus.PLANNED: _l("planned"),
    MilestoneStatus.DONE: _l("done"),
    MilestoneStatus.LATE: _l("late"),
}
CONCERN_NAMES = {
    ConcernState.OPEN: _l("being reviewed"),
    ConcernState.IN_VOTE: _l("before a vote on suspension"),
    ConcernState.SUSPENDED: _l("the organization was suspended"),
    ConcernState.DISMISSED: _l("the vote kept the organization"),
}
