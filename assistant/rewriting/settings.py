"""Which model serves, from the environment. The key is a SecretStr: it is never logged or shown."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from assistant.inputs import InputError

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
        """Where the model is, for display: host and port only, never credentials in the URL."""
        return redact_url(self.base_url) if self.base_url else "api.openai.com"


def redact_url(url: str) -> str:
    """「https://user:pass@host:8443/v1?key=…」 → 「host:8443」: what may be shown or logged."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    if not host:
        return "（地址无法解析）"
    return f"{host}:{parsed.port}" if parsed.port else host


class SettingsError(InputError):
    """A configuration value is wrong; the message names the variable, never its secret value.
    An input error like any other: the CLI says it in Chinese and exits 2, whichever command."""


def from_env(env: dict[str, str] | None = None) -> Settings | None:
    """The configured endpoint, or None: then the offline rewriter serves. A wrong value is a
    SettingsError naming the variable in Chinese (never its value, which may be a secret)."""
    import re

    env = dict(os.environ) if env is None else env
    # A key pasted from a chat or a document often carries invisible characters along.
    key = re.sub(r"[\s\u200b-\u200f\u2060-\u206f\ufeff\u00ad]", "", env.get("OPENAI_API_KEY", ""))
    if not key:
        return None
    if not key.isascii() or not key.isprintable():
        raise SettingsError(
            "OPENAI_API_KEY 含有非 ASCII 字符：请重新复制密钥（只含字母、数字和符号）"
        )
    try:
        timeout = float(env.get("ASSISTANT_TIMEOUT") or DEFAULT_TIMEOUT)
    except ValueError:
        raise SettingsError("ASSISTANT_TIMEOUT 须为秒数，例如 30") from None
    try:
        retries = int(env.get("ASSISTANT_MAX_RETRIES") or DEFAULT_RETRIES)
    except ValueError:
        raise SettingsError("ASSISTANT_MAX_RETRIES 须为 0 到 5 的整数") from None
    import math

    if not math.isfinite(timeout) or not 0 < timeout <= 600:
        raise SettingsError("ASSISTANT_TIMEOUT 须在 0 到 600 秒之间")
    if not 0 <= retries <= 5:
        raise SettingsError("ASSISTANT_MAX_RETRIES 须为 0 到 5 的整数")
    mode = env.get("ASSISTANT_OUTPUT_MODE") or "json_schema"
    if mode not in ("json_schema", "json_mode", "function_calling"):
        raise SettingsError("ASSISTANT_OUTPUT_MODE 须为 json_schema、json_mode 或 function_calling")
    base_url = env.get("OPENAI_BASE_URL") or None
    if base_url is not None and urlparse(base_url).scheme not in ("http", "https"):
        raise SettingsError("OPENAI_BASE_URL 须以 http:// 或 https:// 开头")
    return Settings(
        api_key=SecretStr(key),
        base_url=base_url,
        model=env.get("ASSISTANT_MODEL") or DEFAULT_MODEL,
        timeout=timeout,
        max_retries=retries,
        output_mode=mode,
    )


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
