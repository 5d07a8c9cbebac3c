"""Who may see and use which accounts and transfers (named checks, as in
``governance.policies``).

- A member's accounts (owner ``member:<id>``) are theirs; an organization's
  (``organization:<id>``) belong to its delegates as well. Both are seen and
  used by them alone.
- The network's accounts (its funds, the bank reserve, and the issuance accounts
  through which money enters) are seen by every member: where the common money
  is and where it went is everyone's business. Nobody pays from them on these
  pages; the network's money moves by decisions (disbursements).
- A transfer is seen by whoever may see one of its two accounts. So everything
  that touches the network (disbursements, conversions at the bank, donations to
  the funds) is open to every member, and a sale between two members to the two
  of them (and their organizations' delegates).
"""

from __future__ import annotations

from typing import Any

from governance.models import Member
from governance.policies import IsMember, Requirement
from ledger.models import Account


def owners_of(member: Member) -> list[str]:
    """The owner references a member acts for: themself, then their organizations."""
    refs = [f"member:{member.id}"]
    refs += [f"organization:{d.organization_id}" for d in member.delegations]
    return refs


def _may_see(member: Any, account: Any) -> bool:
    if not IsMember(member) or not isinstance(account, Account):
        return False
    return account.is_network or account.owner in owners_of(member)


def _may_use(member: Any, account: Any) -> bool:
    return (
        IsMember(member)
        and isinstance(account, Account)
        and not account.is_network
        and not account.may_go_negative
        and account.owner in owners_of(member)
    )


def _may_see_either(member: Any, accounts: Any) -> bool:
    return any(_may_see(member, account) for account in accounts or ())


def _acts_for(member: Any, owner: Any) -> bool:
    return IsMember(member) and isinstance(owner, str) and owner in owners_of(member)


can_use_ledger = IsMember.named("can_use_ledger")
can_view_account = Requirement("can_view_account", _may_see)
can_use_account = Requirement("can_use_account", _may_use)
# The target is the transfer's two accounts, (debit, credit).
can_view_transfer = Requirement("can_view_transfer", _may_see_either)
# The target is an owner reference ("member:3", "organization:7").
can_act_for = Requirement("can_act_for", _acts_for)

TEMPLATE_POLICIES = {
    "can_view_account": can_view_account,
    "can_use_account": can_use_account,
}
