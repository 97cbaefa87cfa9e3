"""tqdm on demand: the optional progress bars import it only when one is drawn."""

from __future__ import annotations

from typing import Any

__all__ = ["open_bar"]


def open_bar(**kwargs: Any) -> Any:
    """A ``tqdm.auto.tqdm(**kwargs)`` bar.

    Raises:
        ImportError: tqdm is not installed; the message names the extra that adds it.
    """
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:
        raise ImportError("show_progress=True needs tqdm: pip install 'ai-hubs[progress]'") from exc
    return tqdm(**kwargs)
