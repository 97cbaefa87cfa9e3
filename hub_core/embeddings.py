"""The embeddings engine both adapters share: batching, base64 decoding, bounded concurrency.

Why it exists rather than each adapter calling ``/embeddings`` itself:

* hubs reject token-id arrays (PROTOCOL §3 pitfall 2), so only raw strings are sent;
* one request per text is slow and one request for everything breaks hub limits, so inputs are
  cut into batches by count (``batch_size``, ≤ 256 by default, PROTOCOL §4.21) and by an
  estimated token budget (``max_tokens_per_batch``), and the order of the inputs is kept;
* ``encoding_format="base64"`` makes the body ~4× smaller and is decoded in C (``memoryview`` /
  ``array``, or numpy when it is importable) instead of one Python step per float;
* over-long inputs are found offline (``hub_core.tokens``) *before* anything is sent or paid for.

The plan limiter lives in the transport, so every batch request (and every retry) takes a slot.

Example:
    >>> plan_batches([3, 3, 3, 3, 3], batch_size=2, max_tokens_per_batch=100)
    [(0, 2), (2, 4), (4, 5)]
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import sys
import threading
import weakref
from array import array
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextvars import copy_context
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from hub_core._tqdm import open_bar
from hub_core.errors import (
    BadRequestError,
    HubError,
    HubInputError,
    UnsupportedFeatureError,
    error_from_payload,
)
from hub_core.tokens import utf8_size
from hub_core.validate import check_embedding_settings

if TYPE_CHECKING:
    from hub_core.budget import Budget
    from hub_core.client import HubClient

OnLongInput = Literal["error", "truncate"]
EncodingFormat = Literal["base64", "float"]

DEFAULT_BATCH_SIZE = 256
"""Inputs per request (PROTOCOL §4.21: hubs state no limit; OpenAI's own cap is 2048)."""
DEFAULT_MAX_TOKENS_PER_BATCH = 200_000
"""Estimated tokens per request; below OpenAI's 300k cap because the estimate is approximate."""
DEFAULT_MAX_CONCURRENCY = 4
"""Requests in flight at once for one call (sync threads or async tasks)."""
DEFAULT_EMBEDDING_CONTEXT = 8191
"""Context window assumed for an embedding model the catalog does not know."""
EMPTY_INPUT_REPLACEMENT = " "
"""What an empty string is sent as: OpenAI-lineage backends answer 400 to ``""``."""


class EmbeddingInputError(HubInputError):
    """An input exceeds the model's context and ``on_long_input="error"``; nothing was sent."""

    def __init__(
        self, message: str, *, hub: str | None = None, index: int, tokens: int, limit: int
    ) -> None:
        super().__init__(message, hub=hub, field=f"input[{index}]", value=tokens)
        self.index = index
        self.tokens = tokens
        self.limit = limit

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_input_error,
            (self.message, self.hub, self.index, self.tokens, self.limit),
        )


def _rebuild_input_error(
    message: str, hub: str | None, index: int, tokens: int, limit: int
) -> EmbeddingInputError:
    return EmbeddingInputError(message, hub=hub, index=index, tokens=tokens, limit=limit)


class EmbeddingResponseError(HubError):
    """The hub answered 2xx but the body is not one embedding per input of the batch."""

    def __init__(self, message: str, *, hub: str | None = None, start: int = 0, end: int = 0):
        super().__init__(message, hub=hub)
        self.input_range = (start, end)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_response_error, (self.message, self.hub, *self.input_range))


def _rebuild_response_error(
    message: str, hub: str | None, start: int, end: int
) -> EmbeddingResponseError:
    return EmbeddingResponseError(message, hub=hub, start=start, end=end)


# ---------------------------------------------------------------------------------------------
# Pure parts: planning and decoding


def _tokens_for_size(size: int) -> int:
    return max(1, -(-size // 4))


def estimate_tokens(text: str) -> int:
    """A cheap token estimate for budgeting: a quarter of the UTF-8 length, at least 1."""
    return _tokens_for_size(utf8_size(text))


def plan_batches(
    token_estimates: Sequence[int], *, batch_size: int, max_tokens_per_batch: int
) -> list[tuple[int, int]]:
    """Cut inputs into contiguous ``(start, end)`` ranges, one per request, in input order.

    A batch closes when it holds ``batch_size`` inputs or the next input would push its estimated
    tokens past ``max_tokens_per_batch``; an input bigger than the budget travels alone.
    """
    if batch_size < 1 or max_tokens_per_batch < 1:
        raise ValueError("batch_size and max_tokens_per_batch must be at least 1")
    batches: list[tuple[int, int]] = []
    start = 0
    tokens = 0
    for i, estimate in enumerate(token_estimates):
        if i > start and (i - start >= batch_size or tokens + estimate > max_tokens_per_batch):
            batches.append((start, i))
            start, tokens = i, 0
        tokens += estimate
    if start < len(token_estimates):
        batches.append((start, len(token_estimates)))
    return batches


def _load_numpy() -> Any:
    try:
        import numpy
    except ImportError:  # numpy is optional: the stdlib path is as correct, a little slower
        return None
    return numpy


_np: Any = _load_numpy()
_LITTLE_ENDIAN = sys.byteorder == "little"


def decode_base64_embedding(data: str | bytes) -> list[float]:
    """Little-endian float32 bytes in base64 (PROTOCOL §2.5) -> ``list[float]``, decoded in C.

    ``array`` is as fast as numpy here (measured: ~62 vs ~65 µs per 1536-dim vector, the cost
    being the Python floats ``tolist`` must create), so numpy is only used to swap bytes on
    big-endian hosts, when it is importable.
    """
    raw = base64.b64decode(data)
    if len(raw) % 4:
        raise ValueError(f"base64 embedding has {len(raw)} bytes, not a multiple of 4")
    if not _LITTLE_ENDIAN and _np is not None:
        return cast("list[float]", _np.frombuffer(raw, dtype="<f4").tolist())
    values = array("f", raw)
    if not _LITTLE_ENDIAN:
        values.byteswap()
    return values.tolist()


def decode_embedding(value: Any) -> list[float]:
    """One ``data[i].embedding``: a base64 string or a list of numbers -> ``list[float]``."""
    if isinstance(value, str):
        return decode_base64_embedding(value)
    if isinstance(value, list):
        return list(map(float, value))
    raise TypeError(f"embedding is a {type(value).__name__}, expected a list or base64 string")


def parse_embeddings_response(
    body: Any, count: int, *, hub: str | None = None, start: int = 0
) -> list[list[float]]:
    """The ``count`` vectors of one batch's response body, in input order.

    Items are placed by their ``index`` (hubs may answer out of order); a body that is really an
    error, has the wrong number of items, or repeats/misses an index raises rather than guessing.
    """
    end = start + count
    where = f"inputs {start}..{end - 1}"
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        error = error_from_payload(body, hub=hub)
        if error is not None:
            raise error
        raise EmbeddingResponseError(
            f"embeddings response for {where} has no 'data' list", hub=hub, start=start, end=end
        )
    if len(data) != count:
        raise EmbeddingResponseError(
            f"embeddings response for {where} holds {len(data)} vectors, expected {count}",
            hub=hub,
            start=start,
            end=end,
        )
    ordered: list[Any] = [None] * count
    try:
        for position, item in enumerate(data):
            index = item.get("index", position) if isinstance(item, Mapping) else None
            if not isinstance(index, int) or not 0 <= index < count or ordered[index] is not None:
                raise EmbeddingResponseError(
                    f"embeddings response for {where} has a bad or repeated index {index!r}",
                    hub=hub,
                    start=start,
                    end=end,
                )
            ordered[index] = decode_embedding(item.get("embedding"))
    except (TypeError, ValueError, binascii.Error) as exc:
        raise EmbeddingResponseError(
            f"embeddings response for {where} holds an undecodable vector: {exc}",
            hub=hub,
            start=start,
            end=end,
        ) from exc
    return ordered


def annotate_batch_error(error: BaseException, start: int, end: int) -> BaseException:
    """Name the input range a failed request covered, keeping the error's type (so callers can
    still catch ``RateLimitError`` etc.). Sets ``error.input_range = (start, end)``."""
    if isinstance(error, EmbeddingResponseError) or getattr(error, "input_range", None):
        return error  # already names its range
    note = f"embedding batch covered inputs {start}..{end - 1}; no vectors were returned"
    if isinstance(error, HubError):
        error.message = f"{error.message} [{note}]"
    elif hasattr(error, "add_note"):
        error.add_note(note)
    try:
        error.input_range = (start, end)  # type: ignore[attr-defined]
    except AttributeError:  # exceptions with __slots__
        pass
    return error


# ---------------------------------------------------------------------------------------------
# The engine


class _Progress(Protocol):
    def update(self, n: int = 1) -> Any: ...
    def close(self) -> None: ...


class _NoProgress:
    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


def _progress_bar(total: int, enabled: bool) -> _Progress:
    if not enabled:
        return _NoProgress()
    bar: _Progress = open_bar(total=total, desc="Embedding", unit="text")
    return bar


def _context_window(hub: str, model: str) -> int:
    """The model's input limit from the offline catalog; unknown non-embedding names get 8191."""
    try:
        from hub_core.catalog import model_info
    except ImportError:  # pragma: no cover - catalog is part of hub_core
        return DEFAULT_EMBEDDING_CONTEXT
    info = model_info(hub, model)
    if info.embedding or info.known:
        return int(info.context_window)
    return DEFAULT_EMBEDDING_CONTEXT


def _rejects_base64(error: BadRequestError) -> bool:
    text = f"{error.message} {error.body}".lower()
    return "encoding_format" in text or "base64" in text


class EmbeddingsEngine:
    """Turns a list of texts into vectors through a :class:`HubClient`, in order.

    Sync calls run up to ``max_concurrency`` batch requests in a small thread pool: on loopback
    (benchmark e) threads and sequential batches tie (0.97-1.05x raw httpx; decoding dominates),
    while against a real hub the threads overlap network round trips. Async calls run batches as
    tasks under a semaphore shared by every call on the same event loop, so LlamaIndex's unbounded
    ``gather`` of chunks stays bounded. Pickles (the client is rebuilt lazily).

    With ``budget`` (a :class:`~hub_core.budget.Budget`) every request reserves its inputs' worst
    case (tokens x price) before it is sent and settles to the reply's cost.
    """

    def __init__(
        self,
        client: HubClient,
        model: str | None = None,
        *,
        dimensions: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_tokens_per_batch: int = DEFAULT_MAX_TOKENS_PER_BATCH,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        on_long_input: OnLongInput = "error",
        show_progress: bool = False,
        encoding_format: EncodingFormat | None = None,
        context_window: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        budget: Budget | None = None,
    ) -> None:
        profile = client.profile
        if not profile.supports("embeddings"):
            raise UnsupportedFeatureError(
                f"{profile.display_name} documents no embeddings endpoint",
                hub=profile.name,
                capability="embeddings",
            )
        check_embedding_settings(
            model=model, dimensions=dimensions, batch_size=batch_size, hub=profile.name
        )
        resolved = model or profile.default_embedding_model
        if not resolved:
            raise ValueError(f"{profile.display_name} has no default embedding model; pass model=")
        if max_tokens_per_batch < 1 or max_concurrency < 1:
            raise ValueError("max_tokens_per_batch and max_concurrency must be >= 1")
        if on_long_input not in ("error", "truncate"):
            raise ValueError("on_long_input must be 'error' or 'truncate'")
        self.client = client
        self.hub = profile.name
        self.model = profile.normalize_model(resolved)
        self.dimensions = dimensions
        self.batch_size = batch_size
        self.max_tokens_per_batch = max_tokens_per_batch
        self.max_concurrency = max_concurrency
        self.on_long_input: OnLongInput = on_long_input
        self.show_progress = show_progress
        self.encoding_format: EncodingFormat = encoding_format or (
            "base64" if profile.supports_base64_embeddings else "float"
        )
        self.context_window = context_window or _context_window(self.hub, self.model)
        self.extra_body = dict(extra_body or {})
        self.budget = budget
        self._init_runtime()

    def _init_runtime(self) -> None:
        self._lock = threading.Lock()
        self._semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_lock", None)
        state.pop("_semaphores", None)
        return state  # the HubClient pickles its settings and rebuilds its transport lazily

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_runtime()

    # -- planning ------------------------------------------------------------------------------

    def prepare(self, texts: Sequence[str]) -> tuple[list[str], list[int]]:
        """The strings to send and their token estimates; applies the long-input rule.

        Texts whose UTF-8 size is within the context window cannot exceed it (a token is at
        least one byte), so only longer ones are counted exactly, offline.
        """
        limit = self.context_window
        out: list[str] = []
        estimates: list[int] = []
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"input {index} is a {type(text).__name__}, not a str")
            if not text:
                text = EMPTY_INPUT_REPLACEMENT
            size = utf8_size(text)
            if size <= limit:
                out.append(text)
                estimates.append(_tokens_for_size(size))
                continue
            from hub_core.tokens import count_tokens, truncate_to_tokens

            tokens = count_tokens(text, self.model)
            if tokens > limit:
                if self.on_long_input == "error":
                    raise EmbeddingInputError(
                        f"input {index} has about {tokens} tokens, more than the {limit} that "
                        f"{self.model} accepts; shorten or split it, or pass "
                        "on_long_input='truncate'",
                        hub=self.hub,
                        index=index,
                        tokens=tokens,
                        limit=limit,
                    )
                text = truncate_to_tokens(text, self.model, limit)
                tokens = limit
            out.append(text)
            estimates.append(max(1, tokens))
        return out, estimates

    def plan(self, texts: Sequence[str]) -> list[tuple[int, int]]:
        """The ``(start, end)`` input ranges the engine would send, one per request."""
        _, estimates = self.prepare(texts)
        return plan_batches(
            estimates,
            batch_size=self.batch_size,
            max_tokens_per_batch=self.max_tokens_per_batch,
        )

    def payload(self, inputs: list[str], encoding_format: EncodingFormat) -> dict[str, Any]:
        """The JSON body of one request; ``dimensions`` only when set."""
        body: dict[str, Any] = {
            **self.extra_body,
            "model": self.model,
            "input": inputs,
            "encoding_format": encoding_format,
        }
        if self.dimensions is not None:
            body["dimensions"] = self.dimensions
        return body

    # -- one batch -----------------------------------------------------------------------------

    def _embed_batch(self, inputs: list[str], start: int) -> list[list[float]]:
        fmt = self.encoding_format
        try:
            response = self.client.embed(self.payload(inputs, fmt), budget=self.budget)
        except BadRequestError as error:
            if fmt != "base64" or not _rejects_base64(error):
                raise
            self.encoding_format = "float"  # remember: this hub/model wants floats
            response = self.client.embed(self.payload(inputs, "float"), budget=self.budget)
        return parse_embeddings_response(response.json(), len(inputs), hub=self.hub, start=start)

    async def _aembed_batch(self, inputs: list[str], start: int) -> list[list[float]]:
        fmt = self.encoding_format
        try:
            response = await self.client.aembed(self.payload(inputs, fmt), budget=self.budget)
        except BadRequestError as error:
            if fmt != "base64" or not _rejects_base64(error):
                raise
            self.encoding_format = "float"
            response = await self.client.aembed(self.payload(inputs, "float"), budget=self.budget)
        return parse_embeddings_response(response.json(), len(inputs), hub=self.hub, start=start)

    # -- sync ----------------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order. Raises the failed batch's error, naming its range."""
        if not texts:
            return []
        inputs, estimates = self.prepare(texts)
        batches = plan_batches(
            estimates, batch_size=self.batch_size, max_tokens_per_batch=self.max_tokens_per_batch
        )
        results: list[list[list[float]]] = [[] for _ in batches]
        bar = _progress_bar(len(inputs), self.show_progress)
        try:
            workers = min(self.max_concurrency, len(batches))
            if workers <= 1:
                for slot, (start, end) in enumerate(batches):
                    results[slot] = self._run_sync(inputs, start, end)
                    bar.update(end - start)
            else:
                self._run_threads(inputs, batches, results, workers, bar.update)
        finally:
            bar.close()
        return [vector for batch in results for vector in batch]

    def _run_sync(self, inputs: list[str], start: int, end: int) -> list[list[float]]:
        try:
            return self._embed_batch(inputs[start:end], start)
        except Exception as error:
            raise annotate_batch_error(error, start, end) from None

    def _run_threads(
        self,
        inputs: list[str],
        batches: list[tuple[int, int]],
        results: list[list[list[float]]],
        workers: int,
        advance: Callable[[int], Any],
    ) -> None:
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ai-hubs-embed")
        try:
            futures: dict[Future[list[list[float]]], int] = {
                # each batch runs in a copy of the caller's context, so usage tallies and
                # other context-scoped state (hub_core.usage.collecting) see its report
                executor.submit(copy_context().run, self._run_sync, inputs, start, end): slot
                for slot, (start, end) in enumerate(batches)
            }
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                failed = sorted(
                    (futures[f] for f in done if f.exception() is not None),
                )
                if failed:
                    for future in pending:
                        future.cancel()
                    first = next(f for f in done if futures[f] == failed[0])
                    error = first.exception()
                    assert error is not None
                    raise error
                for future in done:
                    slot = futures[future]
                    results[slot] = future.result()
                    advance(batches[slot][1] - batches[slot][0])
        finally:
            executor.shutdown(wait=True, cancel_futures=True)

    # -- async ---------------------------------------------------------------------------------

    def _semaphore(self) -> asyncio.Semaphore:
        """One semaphore per event loop, so concurrent calls share the ``max_concurrency`` bound."""
        loop = asyncio.get_running_loop()
        with self._lock:
            semaphore = self._semaphores.get(loop)
            if semaphore is None:
                semaphore = asyncio.Semaphore(self.max_concurrency)
                self._semaphores[loop] = semaphore
            return semaphore

    async def aembed(self, texts: Sequence[str]) -> list[list[float]]:
        """Async :meth:`embed`: batches run concurrently, at most ``max_concurrency`` at a time."""
        if not texts:
            return []
        inputs, estimates = self.prepare(texts)
        batches = plan_batches(
            estimates, batch_size=self.batch_size, max_tokens_per_batch=self.max_tokens_per_batch
        )
        semaphore = self._semaphore()
        bar = _progress_bar(len(inputs), self.show_progress)

        async def run(start: int, end: int) -> list[list[float]]:
            async with semaphore:
                try:
                    vectors = await self._aembed_batch(inputs[start:end], start)
                except Exception as error:
                    raise annotate_batch_error(error, start, end) from None
            bar.update(end - start)
            return vectors

        tasks = [asyncio.ensure_future(run(start, end)) for start, end in batches]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in tasks:  # the earliest failed batch, in input order
                if task in done and not task.cancelled() and task.exception() is not None:
                    error = task.exception()
                    assert error is not None
                    raise error
            return [vector for task in tasks for vector in task.result()]
        finally:
            bar.close()
            unfinished = [task for task in tasks if not task.done()]
            for task in unfinished:
                task.cancel()
            if unfinished:
                await asyncio.gather(*unfinished, return_exceptions=True)

    def embed_one(self, text: str) -> list[float]:
        """One text's vector (a query)."""
        return self.embed([text])[0]

    async def aembed_one(self, text: str) -> list[float]:
        """Async :meth:`embed_one`."""
        return (await self.aembed([text]))[0]
