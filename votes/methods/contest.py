"""A contest: what is being decided, by which method, among whom."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from votes.methods.errors import InvalidContest
from votes.methods.registry import IMPLS
from votes.methods.rules import Rules
from votes.methods.yes_no_abstain import YES_NO_ABSTAIN

# A ballot with more options than this cannot be read by a person, and would
# make the cubic strongest-path computation of Schulze slow.
MAX_OPTIONS = 1000


@dataclass(frozen=True)
class Contest:
    """Everything the count needs besides the papers.

    ``max_choices`` applies to approval only (None: no limit); ``max_score`` is
    required by score and refused by the other methods. ``settings`` are a
    registered method's own (a JSON object its ``check_settings`` validates);
    the methods of this package take none.
    """

    method: str
    options: tuple[str, ...]
    electorate_weight: int
    rules: Rules
    max_choices: int | None = None
    max_score: int | None = None
    settings: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.options, list):  # a JSON list is welcome too
            object.__setattr__(self, "options", tuple(self.options))

    @classmethod
    def yes_no_abstain(cls, electorate_weight: int, rules: Rules) -> Contest:
        """A yes/no/abstain contest, whose options are always the same."""
        return cls("yes-no-abstain", YES_NO_ABSTAIN, electorate_weight, rules)

    @cached_property
    def option_index(self) -> dict[str, int]:
        """Each option's place on the ballot (0 first)."""
        return {option: place for place, option in enumerate(self.options)}

    def validate(self) -> None:
        """Raise :class:`InvalidContest` unless the contest can be counted."""
        impl = IMPLS.get(self.method) if isinstance(self.method, str) else None
        if impl is None:
            raise InvalidContest(
                "unknown-method",
                f"{self.method!r} is not a counting method; known methods are {', '.join(IMPLS)}.",
                method=self.method,
                field="method",
            )
        self._validate_options()
        _check_int(self.electorate_weight, "electorate_weight", minimum=0)
        self._validate_limits()
        if impl.check_settings is not None:
            impl.check_settings(self)
        elif self.settings is not None:
            raise InvalidContest(
                "unexpected-field",
                f"The {self.method} method takes no settings.",
                field="settings",
            )
        if not isinstance(self.rules, Rules):
            raise InvalidContest(
                "bad-rules", f"The rules must be a Rules object, not {self.rules!r}.", field="rules"
            )
        self.rules.validate()
        if self.method == "yes-no-abstain" and self.rules.threshold is None:
            raise InvalidContest(
                "missing-threshold",
                "A yes/no/abstain contest needs a threshold.",
                method=self.method,
                field="threshold",
            )
        if not impl.info.has_threshold and self.rules.threshold is not None:
            raise InvalidContest(
                "unexpected-threshold",
                f"The {self.method} method has no threshold; leave it empty.",
                method=self.method,
                field="threshold",
            )

    def _validate_options(self) -> None:
        if not isinstance(self.options, tuple):
            raise InvalidContest(
                "bad-options", f"The options must be a list, not {self.options!r}.", field="options"
            )
        if self.method == "yes-no-abstain":
            if self.options != YES_NO_ABSTAIN:
                raise InvalidContest(
                    "wrong-options",
                    'The options of a yes/no/abstain contest are "yes", "no" and "abstain".',
                    expected=list(YES_NO_ABSTAIN),
                    field="options",
                )
            return
        if len(self.options) < 2:
            raise InvalidContest(
                "too-few-options",
                f"A contest needs at least 2 options, not {len(self.options)}.",
                count=len(self.options),
                field="options",
            )
        if len(self.options) > MAX_OPTIONS:
            raise InvalidContest(
                "too-many-options",
                f"A contest has at most {MAX_OPTIONS} options, not {len(self.options)}.",
                count=len(self.options),
                max=MAX_OPTIONS,
                field="options",
            )
        for place, option in enumerate(self.options):
            if not isinstance(option, str) or not option.strip():
                raise InvalidContest(
                    "bad-option",
                    f"Option {place + 1} must be a non-empty text, not {option!r}.",
                    index=place,
                    field="options",
                )
        if len(set(self.options)) != len(self.options):
            duplicate = next(o for n, o in enumerate(self.options) if o in self.options[:n])
            raise InvalidContest(
                "duplicate-option",
                f"The option {duplicate!r} is listed more than once.",
                option=duplicate,
                field="options",
            )

    def _validate_limits(self) -> None:
        for field, method in (("max_choices", "approval"), ("max_score", "score")):
            value = getattr(self, field)
            if self.method != method:
                if value is not None:
                    raise InvalidContest(
                        "unexpected-field",
                        f"{field} applies to the {method} method only.",
                        field=field,
                    )
            elif value is not None:
                _check_int(value, field, minimum=1)
        if self.method == "score" and self.max_score is None:
            raise InvalidContest(
                "missing-max-score", "A score contest needs a maximum score.", field="max_score"
            )


def _check_int(value: Any, field: str, *, minimum: int) -> None:
    if type(value) is not int or value < minimum:
        raise InvalidContest(
            f"bad-{field.replace('_', '-')}",
            f"{field} must be a whole number of at least {minimum}, not {value!r}.",
            field=field,
            value=value if type(value) is int else repr(value),
        )
