"""A media error in words a model (or a person) can act on: what happened, and what to do.

Agent tools (LangChain and LlamaIndex) hand these texts back to the model instead of a
traceback, so it can tell the user "you are out of credits" or collect a slow video later
instead of paying for it twice. Every text says whether anything was made or charged.
Framework-free, so both adapters say the same thing.

Example:
    >>> from hub_core.errors import RateLimitError
    >>> explain(RateLimitError("429 slow down", hub="tokenhub", status_code=429, retry_after=30))
    'TokenHub is rate-limiting this key (it asks to wait 30 s): 429 slow down. Nothing was made. Wait before calling again, and make fewer calls at once.'
"""  # noqa: E501

from __future__ import annotations

from hub_core.errors import (
    AuthenticationError,
    BadRequestError,
    BudgetExceededError,
    DownloadError,
    HubAPIError,
    HubConnectionError,
    HubError,
    HubInputError,
    HubTimeoutError,
    InsufficientCreditsError,
    MediaFormatError,
    MediaJobError,
    MediaJobTimeout,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnsupportedFeatureError,
)
from hub_core.hubs import get_hub

__all__ = ["explain"]


def _said(text: str) -> str:
    """A hub's sentence without its closing full stop, so the reply adds exactly one."""
    return text.rstrip().rstrip(".")


def _hub_name(exc: HubError) -> str:
    if not exc.hub:
        return "The hub"
    try:
        return get_hub(exc.hub).display_name
    except (KeyError, ValueError):
        return exc.hub


def _job_words(exc: MediaJobError, hub: str, check_tool: str) -> str:
    job, said = exc.job_id, _said(exc.message)
    if isinstance(exc, MediaJobTimeout):
        return (f"The job {job!r} is still {exc.status} after the wait ran out. It keeps "
                f"running on {hub} and is already paid for: call {check_tool} with "
                f"job_id={job!r} later to collect the file. Do not submit it again.")
    if isinstance(exc, MediaFormatError):
        return f"{said}. The file was kept; nothing more was charged."
    if exc.status == "failed" and exc.reason is not None:
        return (f"{hub} ran the job {job!r} but it failed: {_said(exc.reason)}. Nothing was "
                "produced (the hub may still have charged for it). If the reason points at the "
                "prompt (a content filter, an unclear request), change it before trying again.")
    if exc.status == "failed":
        return (f"{hub} refused the job: {said}. Nothing was produced. Change the "
                "request before trying again.")
    if exc.status == "unknown":
        return (f"{exc.message} Tell the user; do not submit it again.")
    return f"{exc.message} Call {check_tool} with job_id={job!r} to see where it stands."


def _api_words(exc: HubAPIError, hub: str) -> str:
    said = _said(exc.message)
    if isinstance(exc, InsufficientCreditsError):
        unit = f" {exc.unit}" if exc.unit else ""
        facts = [f"balance {exc.balance:g}{unit}"] if exc.balance is not None else []
        if exc.required is not None:
            facts.append(f"this call needs {exc.required:g}{unit}")
        known = f" ({'; '.join(facts)})" if facts else ""
        return (f"Out of credits on {hub}: {said}{known}. Nothing was made. Ask the user "
                "to top up the account, or use a cheaper model or option.")
    if isinstance(exc, RateLimitError):
        wait = f" (it asks to wait {exc.retry_after:g} s)" if exc.retry_after else ""
        return (f"{hub} is rate-limiting this key{wait}: {said}. Nothing was made. "
                "Wait before calling again, and make fewer calls at once.")
    if isinstance(exc, AuthenticationError):
        return (f"{hub} rejected the API key ({exc.status_code}): {said}. Nothing was "
                "made. The key is missing, wrong or expired; retrying will not help.")
    if isinstance(exc, PermissionDeniedError):
        return (f"{hub} does not let this key do that ({exc.status_code}): {said}. "
                "Nothing was made. Try another model.")
    if isinstance(exc, NotFoundError):
        return (f"{hub} does not know it ({exc.status_code}): {said}. Nothing was "
                "made. Check the model name.")
    if isinstance(exc, BadRequestError):
        return (f"{hub} refused the request ({exc.status_code}): {said}. Nothing was "
                "made or charged. Change the prompt or the arguments before trying again.")
    return (f"{hub} failed ({exc.status_code}): {said}. Nothing was made. Try again in "
            "a moment.")


def explain(exc: BaseException, *, check_tool: str = "check_media_job") -> str:
    """What went wrong and what to do, in one paragraph (never a key: messages are redacted).

    ``check_tool`` names the tool that finishes a job by id (the LangChain job tool's name, or
    ``check_job`` in the LlamaIndex tool spec). Anything that is not a :class:`HubError` gets
    its plain ``str``.
    """
    if not isinstance(exc, HubError):
        return str(exc) or type(exc).__name__
    hub, said = _hub_name(exc), _said(exc.message)
    if isinstance(exc, BudgetExceededError):
        return f"Refused by the spending budget before anything was sent: {exc.message}"
    if isinstance(exc, HubInputError):
        return (f"The arguments were refused before anything was sent: {said}. Correct "
                "them and call again.")
    if isinstance(exc, UnsupportedFeatureError):
        return f"{said}. Nothing was sent: {hub} cannot do this."
    if isinstance(exc, DownloadError):
        result = exc.result
        urls = ", ".join(result.urls) if result is not None and result.urls else exc.url
        job = f" with job_id={result.job_id!r}" if result is not None else ""
        return (f"The file was made but could not be downloaded: {said}. It is not "
                f"lost: its URLs are {urls}. Call {check_tool}{job} to retry only the "
                "download; nothing is paid again.")
    if isinstance(exc, MediaJobError):
        return _job_words(exc, hub, check_tool)
    if isinstance(exc, HubAPIError):
        return _api_words(exc, hub)
    if isinstance(exc, HubConnectionError | HubTimeoutError):
        return (f"Could not reach {hub}: {said}. Nothing was made. Try again in a "
                "moment.")
    return str(exc)
