"""``multipart/form-data`` bodies (image edits, variations, transcriptions) via python-multipart."""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import Field, File, FormParser, parse_options_header

from .routes import Ctx, HTTPError

MAX_IN_MEMORY = 128 * 1024 * 1024  # bodies are already in memory; never spill to temp files


@dataclass(frozen=True)
class Upload:
    """One uploaded file part."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Form:
    """Fields and files of a form, in the order sent (a name may repeat, e.g. ``image[]``)."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[Upload]] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        """The first value of a text field."""
        values = self.fields.get(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        """Every value of a text field."""
        return list(self.fields.get(name, ()))

    def uploads(self, *names: str) -> list[Upload]:
        """Files sent under any of ``names`` (``image`` and ``image[]`` alike)."""
        return [u for n in names for u in self.files.get(n, ())]


def parse(ctx: Ctx) -> Form:
    """The request's form; 400 in the hub's dialect when it is not ``multipart/form-data``."""
    content_type = ctx.headers.get("content-type", "")
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise HTTPError(400, "This endpoint takes multipart/form-data "
                        f"(got {content_type or 'no content type'!r}).", "invalid_request_error")
    form = Form()

    def on_field(item: Field) -> None:
        value = item.value.decode("utf-8", "replace") if item.value is not None else ""
        name = (item.field_name or b"").decode("utf-8", "replace")
        form.fields.setdefault(name, []).append(value)

    def on_file(item: File) -> None:
        item.file_object.seek(0)
        upload = Upload((item.file_name or b"").decode("utf-8", "replace"),
                        (item.content_type or b"").decode("latin-1")
                        if isinstance(item.content_type, bytes) else str(item.content_type or ""),
                        item.file_object.read())
        name = (item.field_name or b"").decode("utf-8", "replace")
        form.files.setdefault(name, []).append(upload)

    parser = FormParser("multipart/form-data", on_field, on_file,
                        boundary=options[b"boundary"],
                        config={"MAX_MEMORY_FILE_SIZE": MAX_IN_MEMORY})
    try:
        parser.write(ctx.raw_body)
        parser.finalize()
    except FormParserError as exc:
        raise HTTPError(400, f"Malformed multipart body: {exc}", "invalid_request_error") from None
    return form
