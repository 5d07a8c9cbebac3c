"""Who may do what with applications, concerns and the admission rules.

Reviewers are the members with an active voting seat (not an observer's) in the
body the admission rules name; its chair or secretary sends an application (or a
concern) on to a vote. Administrators may read every application and set the rules.
"""

from __future__ import annotations

from typing import Any

from governance.admission import rules
from governance.policies import IsAdmin, IsMember, Requirement

IsReviewer = Requirement("is_reviewer", lambda m, _t: IsMember(m) and rules.is_reviewer(m))
SendsToVote = Requirement("sends_to_vote", lambda m, _t: IsMember(m) and rules.sends_to_vote(m))


def _is_own(member: Any, application: Any) -> bool:
    from governance.admission.review import is_own_application

    return application is not None and is_own_application(member, application)


can_view_applications = (IsAdmin | IsReviewer).named("can_view_applications")
can_assess = Requirement(
    "can_assess", lambda m, t: IsReviewer(m) and (t is None or not _is_own(m, t))
)
can_send_to_vote = Requirement(
    "can_send_to_vote", lambda m, t: SendsToVote(m) and (t is None or not _is_own(m, t))
)
can_edit_admission_rules = IsAdmin.named("can_edit_admission_rules")
can_raise_concern = IsMember.named("can_raise_concern")

TEMPLATE_POLICIES = {
    name: value
    for name, value in globals().items()
    if isinstance(value, Requirement) and name.startswith("can_")
}
