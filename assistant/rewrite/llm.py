"""The model backend: langchain-openai's ChatOpenAI against any OpenAI-compatible endpoint.

Timeouts and retries are set explicitly (the openai client defaults to a 600 s read timeout and 2
retries, which would hang a user's page for ten minutes). Every failure becomes a `BackendError`
with a Chinese reason, so the pipeline can repair once or fall back, and say why.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from assistant.rewrite.settings import Settings

Failure = Literal["unavailable", "malformed", "refused"]


class BackendError(Exception):
    def __init__(self, failure: Failure, reason: str, raw: Any = None) -> None:
        super().__init__(reason)
        self.failure, self.reason, self.raw = failure, reason, raw


class LLMBackend:
    def __init__(self, settings: Settings, http_client: Any = None) -> None:
        self.settings = settings
        self.http_client = http_client
        self._chat: Any = None
        self.requests = 0

    @property
    def name(self) -> str:
        return f"llm:{self.settings.model}"

    def chat(self) -> Any:
        if self._chat is None:
            from langchain_openai import ChatOpenAI

            s = self.settings
            self._chat = ChatOpenAI(
                model=s.model,
                api_key=s.api_key,
                base_url=s.base_url,
                timeout=s.timeout,
                max_retries=s.max_retries,
                temperature=0,
                use_responses_api=False,
                http_client=self.http_client,
            )
        return self._chat

    def structured(self, schema: type[BaseModel], messages: list[Any]) -> tuple[BaseModel, Any]:
        """(parsed reply, raw AI message) or BackendError."""
        import openai

        from assistant.rewrite.recording import ReplayMiss

        mode = self.settings.output_mode
        runnable = self.chat().with_structured_output(
            schema,
            method=mode,
            include_raw=True,
            **({"strict": True} if mode == "json_schema" else {}),
        )
        self.requests += 1
        try:
            out = runnable.invoke(messages)
        except openai.APITimeoutError:
            raise BackendError(
                "unavailable", f"模型在 {self.settings.timeout:g} 秒内没有响应"
            ) from None
        except openai.RateLimitError:
            raise BackendError("unavailable", "模型服务限流（HTTP 429），请稍后再试") from None
        except openai.APIStatusError as exc:
            raise BackendError(
                "unavailable", f"模型服务返回错误（HTTP {exc.status_code}）"
            ) from None
        except openai.APIConnectionError as exc:
            if isinstance(exc.__cause__, ReplayMiss):
                raise BackendError(
                    "unavailable", "回放记录中没有这次请求（提示词或规则已变，需要重新录制）"
                ) from None
            raise BackendError("unavailable", "无法连接模型服务") from None
        except ReplayMiss:
            raise BackendError(
                "unavailable", "回放记录中没有这次请求（提示词或规则已变，需要重新录制）"
            ) from None
        except openai.OpenAIError as exc:
            raise BackendError("unavailable", f"模型调用失败：{exc.__class__.__name__}") from None
        raw, error = out.get("raw"), out.get("parsing_error")
        refusal = getattr(raw, "additional_kwargs", {}).get("refusal") if raw is not None else None
        if refusal or (error is not None and "refus" in str(error).lower()):
            raise BackendError("refused", "模型拒绝了这次请求", raw)
        if error is not None or out.get("parsed") is None:
            raise BackendError("malformed", "模型返回的内容不是有效的 JSON 结构", raw)
        return out["parsed"], raw
