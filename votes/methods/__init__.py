"""Counting votes: pure functions, no Flask, no database, standard library only.

A :class:`Contest` says what is counted (method, options, electorate weight and
:class:`Rules`); :func:`normalise_choice` validates one paper's choice and
:func:`tally` counts ``(choice, weight)`` papers into a result dict.

Methods (see each module's docstring for its counts and tie-break):
``yes-no-abstain``, ``plurality``, ``approval``, ``score``, ``schulze`` and
``instant-runoff``.

The result is JSON-serialisable and deterministic (the same papers in any
order give byte-identical canonical JSON). Its keys:

* ``method``, ``options``, ``electorate_weight``, ``max_choices``, ``max_score``
* ``participation_weight``: the weight of all papers, blank and abstain included
* ``papers``: the number of papers
* ``counts`` (option → weight, or total score), ``shares`` (option → "num/den")
* ``ranking``: every option, after the tie-break; ``winners``: the options tied
  for first before the tie-break, in ballot order (none without votes);
  ``tie_broken``: whether the tie-break decided who is first
* ``quorum``, ``quorum_met``, ``threshold``, ``threshold_base``, ``strict``,
  ``threshold_base_weight``, ``threshold_met``, ``approved`` (the last three
  are null when the method or contest has no threshold). ``winners`` reports
  the count; whether it decides anything is ``quorum_met`` and ``approved``
  (for yes-no-abstain ``winners`` is the decision itself).
* method extras: Schulze ``tiers``, ``pairwise``, ``strongest_paths``;
  instant-runoff ``rounds``
* ``hash``: :func:`result_hash` of all the above
"""

from votes.methods.base import MethodInfo
from votes.methods.contest import MAX_OPTIONS, Contest
from votes.methods.counting import normalise_choice, tally, tally_yes_no_abstain_counts
from votes.methods.errors import CountingError, InvalidChoice, InvalidContest
from votes.methods.hashing import canonical_json, result_hash, tracker
from votes.methods.registry import METHODS
from votes.methods.rules import Rules, fraction_text, parse_fraction
from votes.methods.yes_no_abstain import YES_NO_ABSTAIN

__all__ = [
    "MAX_OPTIONS",
    "METHODS",
    "YES_NO_ABSTAIN",
    "Contest",
    "CountingError",
    "InvalidChoice",
    "InvalidContest",
    "MethodInfo",
    "Rules",
    "canonical_json",
    "fraction_text",
    "normalise_choice",
    "parse_fraction",
    "result_hash",
    "tally",
    "tally_yes_no_abstain_counts",
    "tracker",
]
