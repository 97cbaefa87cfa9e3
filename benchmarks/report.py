"""Markdown rendering of a results dict (see run.py) and the README table update."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Summary columns: (header, client per scenario family)
COLUMNS: list[tuple[str, dict[str, str]]] = [
    ("raw socket", {"chat": "rawsock"}),
    ("raw httpx", {"chat": "httpx", "async": "httpx_async", "embed": "httpx"}),
    ("openai SDK", {"chat": "openai", "async": "openai_async", "embed": "openai"}),
    ("ChatOpenAI", {"chat": "ChatOpenAI", "async": "ChatOpenAI", "embed": "OpenAIEmbeddings"}),
    ("OpenAILike", {"chat": "OpenAILike", "async": "OpenAILike", "embed": "OpenAILikeEmbedding"}),
    ("ours: ChatHub", {"chat": "ChatHub", "async": "ChatHub", "embed": "HubEmbeddings"}),
    ("ours: HubLLM", {"chat": "HubLLM", "async": "HubLLM", "embed": "HubEmbedding"}),
]
OURS_COLS = ("ours: ChatHub", "ours: HubLLM")
FAMILY = {"a": "chat", "b": "chat", "c": "chat", "d": "async", "e": "embed", "g": "chat",
          "h": "async"}
# "linear in chunks": the marginal cost per fragment from 500 to 1,000 fragments within 1.5x of
# the marginal cost from 100 to 500 (a quadratic merge shows ~2.7x; fixed per-call costs cancel).
LINEAR_MAX = 1.5

# (i): a budgeted call against the same call with no budget (each paired with its own twin)
BUDGET_TARGET = 1.05
BUDGET_ROWS = (("call", "(i) chat with a budget ÷ the same call without (A/B pairs)"),
               ("stream", "(i) … streamed, 20 chunks (A/B pairs)"))

# (scenario, job, label, target ratio for ours)
ROWS: list[tuple[str, str, str, float | None]] = [
    ("a", "call", "(a) chat, per call", 1.5),
    ("b", "stream", "(b) 1,000-chunk stream, per chunk", 3.0),
    ("c", "stream1000", "(c) tool-call stream (1,000 fragments), per chunk", 4.0),
    ("c", "invoke1000", "(c) `invoke` with streaming on (1,000 fragments), per chunk", 4.0),
    ("d", "gather", "(d) 200 concurrent async calls (cold pool), per call", 1.1),
    ("d", "gather_warm", "(d) … again at once, on the pooled connections (info)", None),
    ("e", "embed", "(e) embed short texts, dim 1536, per text", 1.2),
]


def _us(v: float) -> str:
    if v >= 10_000:
        return f"{v / 1000:.0f} ms"
    if v >= 1000:
        return f"{v / 1000:.2f} ms"
    if v >= 100:
        return f"{v:.0f} µs"
    return f"{v:.1f} µs"


def _client(res: dict[str, Any], key: str, job: str, col: str) -> dict[str, Any] | None:
    sc = res["scenarios"].get(key)
    if not sc:
        return None
    name = dict(COLUMNS)[col].get(FAMILY[key])
    if name is None:
        return None
    out: dict[str, Any] | None = sc["jobs"].get(job, {}).get("clients", {}).get(name)
    return out


def _cell(entry: dict[str, Any] | None, fmt: str = "ratio") -> str:
    if entry is None:
        return ""
    if entry.get("status") == "unavailable":
        return "not built yet"
    if entry.get("status") == "n/a":
        return "n/a"
    if "per_unit_us" not in entry:
        return "failed"
    med = entry["per_unit_us"]["median"]
    ratio = entry.get("ratio")
    if ratio is None:
        return _us(med)
    return f"**{ratio:.2f}×** ({_us(med)})"


def _status(values: list[float | None], target: float, unavailable: bool) -> str:
    if unavailable:
        return "pending (ours not built yet)"
    if any(v is None for v in values):
        return "failed"
    return "met" if all(v is not None and v <= target for v in values) else "**not met**"


def summary(res: dict[str, Any]) -> list[str]:
    heads = [c for c, _ in COLUMNS]
    lines = [
        "| scenario | " + " | ".join(heads) + " | target (ours) | status |",
        "|---|" + "---|" * (len(heads) + 2),
    ]
    for key, job, label, target in ROWS:
        if key not in res["scenarios"]:
            continue
        cells = [_cell(_client(res, key, job, c)) for c in heads]
        ours = [_client(res, key, job, c) for c in OURS_COLS]
        unavailable = any(o is not None and o.get("status") == "unavailable" for o in ours)
        vals = [o.get("ratio") if o else None for o in ours]
        status = _status(vals, target or 0, unavailable)
        if key == "c" and job == "stream1000" and not unavailable:
            lin = [_linearity(res, c) for c in OURS_COLS]
            if any(v is None or v > LINEAR_MAX for v in lin):
                status = "**not met** (not linear)" if status == "met" else status
        if target is None:
            lines.append(f"| {label} | " + " | ".join(cells) + " | (info) | |")
            continue
        lines.append(f"| {label} | " + " | ".join(cells) + f" | ≤ {target}× | {status} |")
    if "i" in res["scenarios"]:
        lines += _budget_rows(res, len(heads))
    if "c" in res["scenarios"]:
        cells = []
        for c in heads:
            v = _linearity(res, c)
            cells.append("" if v is None else f"{v:.2f}")
        ours_l = [_linearity(res, c) for c in OURS_COLS]
        st = _status(ours_l, LINEAR_MAX, _pending(res, "c", "stream1000"))
        lines.append("| (c) linearity: marginal cost per fragment, 500→1,000 ÷ 100→500 | "
                     + " | ".join(cells) + f" | ≤ {LINEAR_MAX} | {st} |")
    if "f" in res["scenarios"]:
        lines.extend(_import_rows(res, heads))
    if "g" in res["scenarios"]:
        n_g = res["scenarios"]["g"]["jobs"]["full"]["units_per_round"]
        for job, label, target in (("full", f"(g) new connections per {n_g} streams", 2.0),
                                   ("break", "(g) … when the caller stops after 1 chunk", None)):
            cells = []
            for c in heads:
                e = _client(res, "g", job, c)
                if e is None:
                    cells.append("")
                elif e.get("status") == "unavailable":
                    cells.append("not built yet")
                elif "new_connections" not in e:
                    cells.append("failed")
                else:
                    cells.append(f"{e['new_connections']:g}")
            ours = [_client(res, "g", job, c) for c in OURS_COLS]
            if target is None:
                lines.append(f"| {label} | " + " | ".join(cells) + " | (info) | |")
                continue
            st = _status([o.get("new_connections") if o else None for o in ours], target,
                         _pending(res, "g", job))
            lines.append(f"| {label} | " + " | ".join(cells) + f" | ≤ {target:g} | {st} |")
    if "h" in res["scenarios"]:
        cells = []
        for c in heads:
            e = _client(res, "h", "streams", c)
            cells.append(_mem_cell(e, res))
        lines.append(f"| (h) {res['scenarios']['h']['title']} (RSS growth) | "
                     + " | ".join(cells) + " | (info) | |")
        for job, key, what in (("streams", "rss_kb_per_stream", "RSS"),
                               ("traced", "heap_kb_per_stream", "Python heap (tracemalloc)")):
            cells = [_per_stream_cell(res, job, key, c) for c in heads]
            if any(cells):
                lines.append(f"| (h) … per open stream, {what} | " + " | ".join(cells)
                             + " | (info) | |")
    return lines


def _budget_rows(res: dict[str, Any], columns: int) -> list[str]:
    """(i) in the ours columns: budgeted ÷ unbudgeted time of A/B pairs in the same worker."""
    jobs = res["scenarios"]["i"]["jobs"]
    rows = []
    for job, label in BUDGET_ROWS:
        entries = [jobs.get(job, {}).get("clients", {}).get(name) for name in ("ChatHub", "HubLLM")]
        ratios = [(e or {}).get("extras", {}).get("budget_ratio") for e in entries]
        extra_us = [(e or {}).get("extras", {}).get("overhead_us") for e in entries]
        cells = [""] * (columns - len(entries)) + [
            "failed" if r is None else f"**{r:.3f}×** (+{_us(max(us or 0.0, 0.0))})"
            for r, us in zip(ratios, extra_us, strict=True)]
        status = _status(ratios, BUDGET_TARGET, False)
        rows.append(f"| {label} | " + " | ".join(cells) + f" | ≤ {BUDGET_TARGET}× | {status} |")
    return rows


def _pending(res: dict[str, Any], key: str, job: str) -> bool:
    return any((o := _client(res, key, job, c)) is not None and o.get("status") == "unavailable"
               for c in OURS_COLS)


def _linearity(res: dict[str, Any], col: str) -> float | None:
    total = {}
    for n in (100, 500, 1000):
        e = _client(res, "c", f"stream{n}", col)
        if not e or "per_unit_us" not in e:
            return None
        total[n] = e["per_unit_us"]["median"] * n
    first = (total[500] - total[100]) / 400
    second = (total[1000] - total[500]) / 500
    if first <= 0:
        return None
    return float(second / first)


def _per_stream_cell(res: dict[str, Any], job: str, key: str, col: str) -> str:
    """KB per open stream of ``key`` in (h)'s ``job``, as a ratio to raw httpx."""
    e = _client(res, "h", job, col)
    value = ((e or {}).get("extras") or {}).get(key)
    if value is None:
        return ""
    base = ((_client(res, "h", job, "raw httpx") or {}).get("extras") or {}).get(key)
    txt = f"{value:.1f} KB"
    return f"**{value / base:.2f}×** ({txt})" if base else txt


def _mem_cell(e: dict[str, Any] | None, res: dict[str, Any]) -> str:
    if e is None:
        return ""
    if e.get("status") == "unavailable":
        return "not built yet"
    ex = e.get("extras")
    if not ex:
        return "failed"
    base = _client(res, "h", "streams", "raw httpx")
    base_mb = (base or {}).get("extras", {}).get("rss_delta_mb")
    txt = f"{ex['rss_delta_mb']:.0f} MB"
    if base_mb:
        txt = f"**{ex['rss_delta_mb'] / base_mb:.2f}×** ({txt})"
    if ex.get("open_at_once", 0) < res["scenarios"]["h"]["jobs"]["streams"]["units_per_round"]:
        txt += f", {ex['open_at_once']:.0f} open at once"
    if ex.get("errors"):
        txt += f", {ex['errors']:.0f} errors"
    return txt


def _import_rows(res: dict[str, Any], heads: list[str]) -> list[str]:
    mods = res["scenarios"]["f"]["modules"]

    def cell(name: str) -> str:
        m = mods.get(name)
        if not m:
            return ""
        if m["status"] != "ok":
            return "not built yet" if m["status"] == "unavailable" else "failed"
        return f"**{m.get('ratio', 0):.1f}×** ({m['ms']['median']:.0f} ms)"

    rows = []
    for label, anchor, ours_bare, ours_cls, col_anchor, col_ours in (
        ("(f) import, LangChain side", "langchain_openai", "langchain_hub",
         "langchain_hub.ChatHub", "ChatOpenAI", "ours: ChatHub"),
        ("(f) import, LlamaIndex side", "llama_index.llms.openai_like", "llamaindex_hub",
         "llamaindex_hub.HubLLM", "OpenAILike", "ours: HubLLM"),
    ):
        cells = dict.fromkeys(heads, "")
        cells["raw httpx"] = cell("httpx")
        cells["openai SDK"] = cell("openai")
        cells[col_anchor] = cell(anchor)
        cells[col_ours] = f"{cell(ours_cls)}; bare `import {ours_bare}`: {cell(ours_bare)}"
        a, o = mods.get(anchor, {}), mods.get(ours_cls, {})
        if o.get("status") == "unavailable":
            st = "pending (ours not built yet)"
        elif a.get("status") != "ok" or o.get("status") != "ok":
            st = "failed"
        else:
            frac = o["ms"]["median"] / a["ms"]["median"]
            st = ("met" if frac <= 0.5 else "**not met**") + f" ({frac:.2f} of the anchor)"
        rows.append(f"| {label} | " + " | ".join(cells[h] for h in heads)
                    + " | ≤ ½ of the anchor | " + st + " |")
    return rows


def details(res: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key in sorted(res["scenarios"]):
        sc = res["scenarios"][key]
        if key == "f":
            lines += [f"### ({key}) {sc['title']}", "",
                      "| statement | median | min–max | × `import httpx` | CPU | modules | RSS |",
                      "|---|---|---|---|---|---|---|"]
            for m in sc["modules"].values():
                if m["status"] != "ok":
                    lines.append(f"| `{m['statement']}` | {m['status']}: "
                                 f"{m.get('error', '')[:80]} | | | | | |")
                    continue
                lines.append(
                    f"| `{m['statement']}` | {m['ms']['median']:.0f} ms | "
                    f"{m['ms']['min']:.0f}–{m['ms']['max']:.0f} ms | {m.get('ratio', 0):.1f}× | "
                    f"{m['cpu_ms']:.0f} ms | {m['modules_loaded']} | {m['rss_mb']:.0f} MB |")
            lines.append("")
            continue
        lines.append(f"### ({key}) {sc['title']} — {sc['rounds']} rounds, baseline "
                     f"`{sc['baseline']}`")
        lines.append("")
        for job, jd in sc["jobs"].items():
            lines += [
                f"`{job}`: {jd['units_per_round']:,} {jd['unit']}s per round; times per "
                f"{jd['unit']}.", "",
                "| client | median | min–max | × httpx (paired) | client CPU | CPU × | "
                "server CPU | requests | new conns | peak RSS | extras |",
                "|---|---|---|---|---|---|---|---|---|---|---|",
            ]
            for name, e in jd["clients"].items():
                if "per_unit_us" not in e:
                    lines.append(f"| {name} | {e['status']}: {str(e.get('error', ''))[:90]} "
                                 "| | | | | | | | | |")
                    continue
                pu = e["per_unit_us"]
                ratio = f"{e['ratio']:.2f}×" if "ratio" in e else ""
                rng = e.get("ratio_range")
                if rng:
                    ratio += f" ({rng[0]:.2f}–{rng[1]:.2f})"
                cpur = f"{e['cpu_ratio']:.2f}×" if "cpu_ratio" in e else ""
                extras = ", ".join(
                    f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in (e.get("extras") or {}).items())
                if e.get("round_errors"):
                    extras += f" errors: {e['round_errors'][0][:60]}"
                rss = f"{e['peak_rss_mb']:.0f} MB" if e.get("peak_rss_mb") else ""
                lines.append(
                    f"| {name} | {_us(pu['median'])} | {_us(pu['min'])}–{_us(pu['max'])} | "
                    f"{ratio} | {_us(e['cpu_per_unit_us'])} | {cpur} | "
                    f"{_us(e['server_cpu_per_unit_us'])} | {e['requests']:g} | "
                    f"{e['new_connections']:g} | {rss} | {extras} |")
            lines.append("")
    return lines


def render_markdown(res: dict[str, Any]) -> str:
    m = res["meta"]
    v = m["versions"]
    head = [
        f"# ai-hubs benchmark results{' (quick smoke run)' if m.get('quick') else ''}",
        "",
        f"{m['date']}, commit `{m['commit']}`, {m['cores']} × {m['cpu']}, Python {m['python']}, "
        f"{m['platform']}; load average {m['loadavg_start'][0]:.1f} at start, "
        f"{m.get('loadavg_end', (0,))[0]:.1f} at end; run took {m.get('seconds', 0):.0f} s.",
        "",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        "Ratios are to raw httpx in the same run (paired per round, then the median); the "
        "absolute median per unit is in brackets. Lower is better.",
        "",
        "## Summary",
        "",
    ]
    return "\n".join([*head, *summary(res), "", "## Details", "", *details(res)]) + "\n"


START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"


def update_readme(path: Path, md: str) -> None:
    """Replace the block between the markers in README.md with the latest results."""
    if not path.exists():
        return
    text = path.read_text()
    if START not in text or END not in text:
        return
    body = md.split("\n", 1)[1]  # drop the "# ..." title line
    pre, rest = text.split(START, 1)
    _, post = rest.split(END, 1)
    path.write_text(f"{pre}{START}\n{body.strip()}\n{END}{post}")
