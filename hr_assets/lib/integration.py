"""A vendor's resource: its settings are its typed fields, each read from one environment variable.

A field's variable is the resource's ``env_prefix`` and the field's name in capitals (``HoldedResource.api_key``:
``HOLDED_API_KEY``); a field named ``hr_...`` is a platform-wide setting, its variable its name in capitals
(``BayzatResource.hr_secret_key``: ``HR_SECRET_KEY``). ``required(...)`` marks the fields without which the vendor
is not configured; every other field has a default. So a new vendor is a resource with typed fields, its vendor
calls, and, for rules a type cannot say (one setting or another, a file that must exist), ``check_settings()``.

``from_environment()`` binds the resource where the definitions are built and where a command uses the vendor:

- text (a ``str`` field) stays a ``dg.EnvVar``: Dagster reads it when a run uses the resource, and the UI shows the
  variable's name, never its value (so a text field takes no constraint: ``check_settings()`` says what it must be);
- a number is read and checked there and then. One that is not of its field's type does not stop the code location:
  the resource is bound with its defaults and the one line that says what is wrong (``misconfigured``).

A run of a vendor that is not configured, or is misconfigured, fails at its first step with that one line
(``check()``, without retries); its schedules and sensors skip with it (``problem()``); a command prints it.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, Self, TypeVar

import dagster as dg
from pydantic import Field, ValidationError
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo

from hr_assets.lib.errors import OperatorError
from hr_assets.settings import SECRET, one_line

T = TypeVar("T")


class NotConfigured(dg.Failure, OperatorError):
    """An integration is not configured, or one of its settings is malformed; the message is one line.

    A step that raises it fails without retries: nothing changes until a person sets the variable."""

    def __init__(self, message: str) -> None:
        super().__init__(description=message, allow_retries=False)


def required(description: str, *, secret: bool = False) -> Any:
    """A field the vendor cannot be used without: None until its variable is set; ``secret``: never shown."""
    extra: JsonDict = {"required": True, **(SECRET if secret else {})}
    return Field(None, description=description, json_schema_extra=extra)


def secret(description: str) -> Any:
    """A field the vendor can go without whose value is never shown: None until its variable is set."""
    return Field(None, description=description, json_schema_extra=SECRET)


class IntegrationResource(dg.ConfigurableResource["IntegrationResource"]):
    """One vendor's settings, as its environment variables say."""

    integration: ClassVar[str]  # its name in messages: "Holded"
    env_prefix: ClassVar[str]  # "HOLDED_"

    misconfigured: str | None = Field(
        None, description="Set as the definitions load when a variable is not of its setting's type: what is wrong."
    )

    @classmethod
    def env_name(cls, field: str) -> str:
        return field.upper() if field.startswith("hr_") else cls.env_prefix + field.upper()

    @classmethod
    def from_environment(cls) -> Self:
        """The resource as the environment configures it: text as ``dg.EnvVar``, numbers read and checked."""
        settings = [field for field in cls.model_fields if field != "misconfigured"]
        text = {field: dg.EnvVar(cls.env_name(field)) for field in settings if _is_text(cls.model_fields[field])}
        text = {field: variable for field, variable in text.items() if variable.env_var_name in os.environ}
        numbers = {
            field: os.environ[cls.env_name(field)]
            for field in settings
            if field not in text and cls.env_name(field) in os.environ
        }
        try:
            return cls(**text, **numbers)
        except ValidationError as exc:
            return cls(**text, misconfigured=f"{cls.integration} is misconfigured: {one_line(exc, cls.env_name)}")

    @classmethod
    def for_command(cls) -> Self:
        """The resource as a command outside a run uses it: its EnvVars read now."""
        resource = cls.from_environment().process_config_and_initialize()
        if not isinstance(resource, cls):
            raise TypeError(f"{cls.__name__} initialized as a {type(resource).__name__}")
        return resource

    @classmethod
    def required_fields(cls) -> list[str]:
        return [field for field, info in cls.model_fields.items() if _marked_required(info)]

    def is_configured(self) -> bool:
        """Its required settings are set (well formed or not): a person meant to use it."""
        return all(getattr(self, field) for field in self.required_fields())

    def problem(self) -> str | None:
        """Why the integration cannot be used, in one line; None when it can."""
        if self.misconfigured:  # first: a required number that is malformed reads as not set
            return self.misconfigured
        missing = [self.env_name(field) for field in self.required_fields() if not getattr(self, field)]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            return f"{self.integration} is not configured: {' and '.join(missing)} {verb} not set"
        try:
            self.check_settings()
        except NotConfigured as exc:
            return exc.description
        return None

    def setting(self, value: T | None) -> T:
        """A required setting's value: ``check()`` first, which fails with its one line when one is not set."""
        self.check()
        if value is None:  # check() passed, so every required setting is set
            raise NotConfigured(f"{self.integration} is not configured")
        return value

    def check_settings(self) -> None:
        """Rules a field's type cannot say (one setting or another, what a setting points at); raises
        ``NotConfigured``."""

    def check(self) -> None:
        """Raise ``NotConfigured`` with the problem, if there is one: a run's first use of the resource calls it."""
        problem = self.problem()
        if problem is not None:
            raise NotConfigured(problem)


def _is_text(field: FieldInfo) -> bool:
    return field.annotation in (str, str | None)


def _marked_required(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    return isinstance(extra, dict) and extra.get("required") is True
