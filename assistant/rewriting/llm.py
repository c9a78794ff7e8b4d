"""The model backend: langchain-openai's ChatOpenAI against any OpenAI-compatible endpoint.

Timeouts and retries are set explicitly (the openai client defaults to a 600 s read timeout and 2
retries, which would hang a user's page for ten minutes). Every failure becomes a `BackendError`
with a Chinese reason, so the pipeline can repair once or fall back, and say why.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from assistant.rewriting.settings import Settings

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
        self._runnables: dict[type[BaseModel], tuple[Any, Any]] = {}
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

    def runnable(self, schema: type[BaseModel]) -> tuple[Any, Any]:
        """(model call, reply parser) for `schema`, built once per backend.

        langchain's `include_raw=True` runs the call and the parser inside two RunnableParallel
        steps, each with a fresh thread pool per invoke (milliseconds a request). The same two
        pieces are taken from the plain `llm | parser` sequence and run in turn instead, with
        the same semantics: the raw message always, the parser's exception as `parsing_error`.
        """
        if schema not in self._runnables:
            from langchain_core.runnables import RunnableSequence

            mode = self.settings.output_mode
            chain = self.chat().with_structured_output(
                schema, method=mode, **({"strict": True} if mode == "json_schema" else {})
            )
            if not isinstance(chain, RunnableSequence):  # pragma: no cover - other versions
                raise TypeError(f"unexpected structured-output runnable {type(chain).__name__}")
            steps = chain.steps
            parser = steps[1] if len(steps) == 2 else RunnableSequence(*steps[1:])
            self._runnables[schema] = (steps[0], parser)
        return self._runnables[schema]

    def _invoke(self, schema: type[BaseModel], messages: list[Any]) -> dict[str, Any]:
        """{"raw", "parsed", "parsing_error"}, as `with_structured_output(include_raw=True)`."""
        call, parser = self.runnable(schema)
        raw = call.invoke(messages)
        try:
            return {"raw": raw, "parsed": parser.invoke(raw), "parsing_error": None}
        except Exception as exc:  # include_raw's fallback catches every parser exception too
            return {"raw": raw, "parsed": None, "parsing_error": exc}

    def structured(self, schema: type[BaseModel], messages: list[Any]) -> tuple[BaseModel, Any]:
        """(parsed reply, raw AI message) or BackendError."""
        import openai

        from assistant.rewriting.recording import ReplayMiss

        self.requests += 1
        try:
            out = self._invoke(schema, messages)
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
        except openai.LengthFinishReasonError:
            raise BackendError("malformed", "模型输出超出长度上限，JSON 不完整") from None
        except openai.ContentFilterFinishReasonError:
            raise BackendError("refused", "模型的内容过滤拦截了这次回复") from None
        except openai.OpenAIError as exc:
            raise BackendError("unavailable", f"模型调用失败：{exc.__class__.__name__}") from None
        except ValidationError as exc:
            # The openai client parses strict structured output itself, while still inside the
            # call: a reply that is not JSON, or not this schema, surfaces here, not as
            # langchain's `parsing_error`. It is the model's fault, so a repair round may help.
            raise BackendError(
                "malformed", "模型返回的内容不是有效的 JSON 结构", _raw_reply(exc)
            ) from None
        raw, error = out.get("raw"), out.get("parsing_error")
        refusal = getattr(raw, "additional_kwargs", {}).get("refusal") if raw is not None else None
        if refusal or (error is not None and "refus" in str(error).lower()):
            raise BackendError("refused", "模型拒绝了这次请求", raw)
        if error is not None or out.get("parsed") is None:
            raise BackendError("malformed", "模型返回的内容不是有效的 JSON 结构", raw)
        return out["parsed"], raw


@lru_cache(maxsize=16)
def backend_for(settings: Settings) -> LLMBackend:
    """One backend per configuration, reused across calls: building a ChatOpenAI (an openai
    client, an HTTP connection pool) and its structured runnable per request costs milliseconds
    and a fresh connection each time. Settings are frozen, so equal settings share one."""
    return LLMBackend(settings)


def _raw_reply(exc: Exception) -> Any:
    """The assistant message the model sent, recovered from the HTTP response langchain attaches
    to the exception, so a repair round can show the model its own malformed reply."""
    from langchain_core.messages import AIMessage

    response = getattr(exc, "response", None)
    try:
        content = response.json()["choices"][0]["message"]["content"]  # type: ignore[union-attr]
    except Exception:  # no response attached, or not a chat completion: repair without it
        return None
    return AIMessage(content=content) if isinstance(content, str) and content else None
