"""An integration's settings: its environment variables, bound to its resource when the code location loads and
read only when a run, a tick or a command uses them.

Loading reads no vendor setting. ``from_environment`` binds each of the integration's variables that is set as a
``dg.EnvVar``, which Dagster resolves when a run uses the resource (the UI shows the variable's name, never its
value), and leaves the others at their defaults. The resource keeps each setting as the text the environment
holds; ``problem()`` checks them all (the required ones set, each of the type it must be) and says in one line
what is wrong, naming the variable. A run of an unconfigured integration fails at its first step with that line
(``check()``), and its schedules and sensors skip with it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import dagster as dg
from pydantic import TypeAdapter, ValidationError

from hr_assets.lib.errors import OperatorError


class NotConfigured(dg.Failure, OperatorError):
    """An integration is not configured, or one of its settings is malformed; the message is one line.

    A step that raises it fails without retries: nothing changes until a person sets the variable."""

    def __init__(self, message: str) -> None:
        super().__init__(description=message, allow_retries=False)


class IntegrationResource(dg.ConfigurableResource):
    """The settings of one integration, as its environment variables say."""

    integration: ClassVar[str]  # its name in messages: "Holded"
    env_prefix: ClassVar[str]  # "HOLDED_": a setting's variable is the prefix and its field's name
    env_names: ClassVar[Mapping[str, str]] = {}  # the fields whose variable is named otherwise
    settings: ClassVar[tuple[str, ...]] = ()  # the fields that come from the environment
    required: ClassVar[tuple[str, ...]] = ()  # the settings without which it is not configured
    kinds: ClassVar[Mapping[str, Any]] = {}  # a setting's type, when its text must be read as one

    @classmethod
    def env_name(cls, field: str) -> str:
        return cls.env_names.get(field, cls.env_prefix + field.upper())

    @classmethod
    def from_environment(cls) -> Self:
        """The resource with each setting that is set in the environment bound as an EnvVar (read later)."""
        return cls(
            **{field: dg.EnvVar(cls.env_name(field)) for field in cls.settings if cls.env_name(field) in os.environ}
        )

    @classmethod
    def for_command(cls) -> Self:
        """The resource as a command outside a run uses it: its EnvVars resolved now."""
        return cls.from_environment().process_config_and_initialize()

    def setting(self, field: str) -> Any:
        """A setting's value, of its type; ``NotConfigured`` naming the variable when its text is not one."""
        text = getattr(self, field)
        if text is None or field not in self.kinds:
            return text
        try:
            return _adapter(self.kinds[field]).validate_python(text)
        except ValidationError as exc:
            error = exc.errors(include_input=False, include_url=False)[0]
            raise NotConfigured(
                f"{self.integration} is misconfigured: {self.env_name(field)}: {error['msg']}"
            ) from None

    def is_configured(self) -> bool:
        """Its required settings are set (well formed or not): a person meant to use it."""
        return all(getattr(self, field) for field in self.required)

    def problem(self) -> str | None:
        """Why the integration cannot be used, in one line; None when it can."""
        missing = [self.env_name(field) for field in self.required if not getattr(self, field)]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            return f"{self.integration} is not configured: {' and '.join(missing)} {verb} not set"
        try:
            for field in self.kinds:
                self.setting(field)
            self.check_more()
        except NotConfigured as exc:
            return exc.description
        return None

    def check_more(self) -> None:
        """Rules across settings, or on what a setting points at; raises ``NotConfigured``."""

    def check(self) -> None:
        """Raise ``NotConfigured`` with the problem, if there is one: a run's first use of the resource calls it."""
        problem = self.problem()
        if problem is not None:
            raise NotConfigured(problem)


@functools.cache
def _adapter(kind: Any) -> TypeAdapter:
    return TypeAdapter(kind)
