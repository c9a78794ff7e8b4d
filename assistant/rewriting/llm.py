"""The model backend: langchain-openai's ChatOpenAI against any OpenAI-compatible endpoint.

One deadline bounds everything a rewrite asks of the model: every request, every retry, every
wait a server asks for (Retry-After) and every byte of a reply trickling in — the transport
checks the time on each read, so a server sending a byte a second cannot outlast it. The openai
client's own retries are off (they would obey a Retry-After of a minute); this module retries,
within the deadline. Every failure, a malformed reply of any shape included (HTML, a JSON body
cut short, no choices), becomes a `BackendError` with a Chinese reason, so the pipeline can
repair once or fall back, and say why.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from assistant.rewriting.settings import Settings

Failure = Literal["unavailable", "malformed", "refused"]


class BackendError(Exception):
    def __init__(self, failure: Failure, reason: str, raw: Any = None) -> None:
        super().__init__(reason)
        self.failure, self.reason, self.raw = failure, reason, raw


# When the current rewrite must be done (time.monotonic()), or None: no deadline.
DEADLINE: ContextVar[float | None] = ContextVar("assistant_model_deadline", default=None)
_MAX_REPLY_BYTES = 200_000  # a reply this long is no message: a server or a model gone wrong


def deadline_client() -> Any:
    """An httpx client whose transport holds every request to the current deadline."""
    import httpx

    class DeadlineStream(httpx.SyncByteStream):
        def __init__(self, inner: Any, end: float, request: Any) -> None:
            self.inner, self.end, self.request, self.size = inner, end, request, 0

        def __iter__(self):
            for chunk in self.inner:
                self.size += len(chunk)
                if time.monotonic() > self.end:
                    raise httpx.ReadTimeout("模型回复超过时限", request=self.request)
                if self.size > _MAX_REPLY_BYTES:
                    raise httpx.RemoteProtocolError("模型回复过长", request=self.request)
                yield chunk

        def close(self) -> None:
            close = getattr(self.inner, "close", None)
            if close is not None:
                close()

    class DeadlineTransport(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.HTTPTransport()

        def handle_request(self, request: Any) -> Any:
            end = DEADLINE.get()
            if end is not None:
                left = end - time.monotonic()
                if left <= 0:
                    raise httpx.ConnectTimeout("已到时限", request=request)
                request.extensions["timeout"] = dict.fromkeys(
                    ("connect", "read", "write", "pool"), left
                )
            response = self.inner.handle_request(request)
            if end is not None:
                response.stream = DeadlineStream(response.stream, end, request)
            return response

        def close(self) -> None:
            self.inner.close()

    return httpx.Client(transport=DeadlineTransport())


class LLMBackend:
    def __init__(self, settings: Settings, http_client: Any = None) -> None:
        self.settings = settings
        self.http_client = http_client if http_client is not None else deadline_client()
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
                max_retries=0,  # retried here, within the one deadline (see `structured`)
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

    def structured(
        self, schema: type[BaseModel], messages: list[Any], deadline: float | None = None
    ) -> tuple[BaseModel, Any]:
        """(parsed reply, raw AI message) or BackendError. Retries what a retry can cure (HTTP
        429 and 5xx, a dropped connection) up to `max_retries` times, waiting what the server
        asks for, but never past `deadline` (time.monotonic()); the default is one timeout."""
        end = deadline if deadline is not None else time.monotonic() + self.settings.timeout
        token = DEADLINE.set(end)
        try:
            attempt = 0
            while True:
                try:
                    return self._once(schema, messages)
                except _Retryable as retry:
                    attempt += 1
                    wait = retry.wait if retry.wait is not None else 0.5 * 2 ** (attempt - 1)
                    left = end - time.monotonic()
                    if attempt > self.settings.max_retries:
                        raise retry.error from None
                    if wait >= left:
                        raise BackendError(
                            "unavailable",
                            f"{retry.error.reason}；重试需等待 {wait:g} 秒，超出 "
                            f"{self.settings.timeout:g} 秒的时限",
                        ) from None
                    time.sleep(wait)
        finally:
            DEADLINE.reset(token)

    def _once(self, schema: type[BaseModel], messages: list[Any]) -> tuple[BaseModel, Any]:
        import openai

        from assistant.rewriting.recording import ReplayMiss

        self.requests += 1
        try:
            out = self._invoke(schema, messages)
        except openai.APITimeoutError:
            raise BackendError(
                "unavailable", f"模型在 {self.settings.timeout:g} 秒内没有响应"
            ) from None
        except openai.RateLimitError as exc:
            raise _Retryable(
                BackendError("unavailable", "模型服务限流（HTTP 429），请稍后再试"), exc
            ) from None
        except openai.APIStatusError as exc:
            error = BackendError("unavailable", f"模型服务返回错误（HTTP {exc.status_code}）")
            if exc.status_code >= 500 or exc.status_code == 408:
                raise _Retryable(error, exc) from None
            raise error from None
        except openai.APIConnectionError as exc:
            if isinstance(exc.__cause__, ReplayMiss):
                raise BackendError(
                    "unavailable", "回放记录中没有这次请求（提示词或规则已变，需要重新录制）"
                ) from None
            why = _causes(exc)
            if "时限" in why:
                raise BackendError(
                    "unavailable", f"模型在 {self.settings.timeout:g} 秒内没有响应"
                ) from None
            if "过长" in why:
                # Cut at the size cap: a server or model gone wrong, not a connection to retry,
                # and a repair round would only wait for another such reply.
                raise BackendError(
                    "unavailable", f"模型回复过长（超过 {_MAX_REPLY_BYTES // 1000} KB），已截断不用"
                ) from None
            raise _Retryable(BackendError("unavailable", "无法连接模型服务"), exc) from None
        except ReplayMiss:
            raise BackendError(
                "unavailable", "回放记录中没有这次请求（提示词或规则已变，需要重新录制）"
            ) from None
        except openai.LengthFinishReasonError:
            raise BackendError("malformed", "模型输出超出长度上限，JSON 不完整") from None
        except openai.ContentFilterFinishReasonError:
            raise BackendError("refused", "模型的内容过滤拦截了这次回复") from None
        except ValidationError as exc:
            # The openai client parses strict structured output itself, while still inside the
            # call: a reply that is not JSON, or not this schema, surfaces here, not as
            # langchain's `parsing_error`. It is the model's fault, so a repair round may help.
            raise BackendError(
                "malformed", "模型返回的内容不是有效的 JSON 结构", _raw_reply(exc)
            ) from None
        except openai.OpenAIError as exc:
            raise BackendError(
                "malformed", f"模型服务的回复无法解析（{exc.__class__.__name__}）"
            ) from None
        except Exception as exc:  # any other shape of broken reply (HTML, no choices, cut JSON)
            raise BackendError(
                "malformed", f"模型服务的回复无法解析（{exc.__class__.__name__}）"
            ) from None
        raw, error = out.get("raw"), out.get("parsing_error")
        # Only the reply's own refusal field says the model refused: the parser's error text
        # names a "refusal" field even for an empty reply.
        refusal = getattr(raw, "additional_kwargs", {}).get("refusal") if raw is not None else None
        if refusal:
            raise BackendError("refused", "模型拒绝了这次请求", raw)
        if error is not None or out.get("parsed") is None:
            raise BackendError("malformed", "模型返回的内容不是有效的 JSON 结构", raw)
        return out["parsed"], raw


def _causes(exc: BaseException) -> str:
    """The messages of every exception behind `exc` (the transport's own reason is a few
    links down the chain the openai client and httpx build)."""
    out, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        out.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    return " | ".join(out)


class _Retryable(Exception):
    """A failure a retry may cure, with how long the server asked to wait (if it said)."""

    def __init__(self, error: BackendError, exc: Any) -> None:
        super().__init__(error.reason)
        self.error = error
        self.wait = _retry_after(getattr(exc, "response", None))


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None) or {}
    try:
        if headers.get("retry-after-ms"):
            return float(headers["retry-after-ms"]) / 1000
        if headers.get("retry-after"):
            return float(headers["retry-after"])
    except (TypeError, ValueError):
        return None
    return None


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
