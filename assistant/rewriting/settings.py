"""Which model serves, from the environment. The key is a SecretStr: it is never logged or shown."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, SecretStr

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 1


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    api_key: SecretStr
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0, le=600)
    max_retries: int = Field(default=DEFAULT_RETRIES, ge=0, le=5)
    # json_schema (strict) where the endpoint supports it; json_mode or function_calling otherwise.
    output_mode: str = Field(
        default="json_schema", pattern="^(json_schema|json_mode|function_calling)$"
    )

    @property
    def endpoint(self) -> str:
        if not self.base_url:
            return "api.openai.com"
        parsed = urlparse(self.base_url)
        return parsed.netloc or self.base_url


class SettingsError(ValueError):
    """A configuration value is wrong; the message names the variable, never its secret value."""


def from_env(env: dict[str, str] | None = None) -> Settings | None:
    """The configured endpoint, or None: then the offline rewriter serves."""
    env = dict(os.environ) if env is None else env
    key = env.get("OPENAI_API_KEY", "").strip()
    if not key:
        return None
    try:
        timeout = float(env.get("ASSISTANT_TIMEOUT") or DEFAULT_TIMEOUT)
        retries = int(env.get("ASSISTANT_MAX_RETRIES") or DEFAULT_RETRIES)
    except ValueError:
        raise SettingsError("ASSISTANT_TIMEOUT 须为秒数，ASSISTANT_MAX_RETRIES 须为整数") from None
    try:
        return Settings(
            api_key=SecretStr(key),
            base_url=env.get("OPENAI_BASE_URL") or None,
            model=env.get("ASSISTANT_MODEL") or DEFAULT_MODEL,
            timeout=timeout,
            max_retries=retries,
            output_mode=env.get("ASSISTANT_OUTPUT_MODE") or "json_schema",
        )
    except ValueError as exc:
        raise SettingsError(f"模型配置无效：{exc.__class__.__name__}") from None


def describe_backend(settings: Settings | None = None, *, force_offline: bool = False) -> str:
    """One line for the page's sidebar and the CLI: which backend, never the key."""
    if settings is None and not force_offline:
        try:
            settings = from_env()
        except SettingsError as exc:
            return f"离线改写（模型配置有误：{exc}）"
    if force_offline:
        return "离线改写（已强制离线）"
    if settings is None:
        return "离线改写（未配置模型）"
    return f"模型 {settings.model} @ {settings.endpoint}（超时 {settings.timeout:g} 秒）"
