"""The report page: the data as JSON inside the HTML, with the stylesheet and the script
inlined, so one file opens offline and nothing is fetched (no CDN, no fonts)."""

from __future__ import annotations

import base64
import gzip
import html
import json
from importlib import resources
from typing import Any

from svclint.escape import visible

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>
{css}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<span>{summary}</span>
<nav><button id="tab-findings" class="on" type="button">Findings</button> <button id="tab-routing" type="button">Reachability</button></nav>
</header>
<main>
<section id="findings-section"><div id="findings"></div></section>
<section id="routing-section" class="hidden">
<p id="map-note"></p>
<div id="routing-body">
<div class="controls">
<label>Namespace <select id="namespace"></select></label>
<label>Filter <input id="filter" type="search" placeholder="workload or Service"></label>
</div>
<div class="controls legend"><span><i class="allow"></i>allow</span><span><i class="partial"></i>partial</span><span><i class="deny" style="border-top-style:dashed"></i>deny</span><span><i class="broken" style="border-top-style:dotted"></i>broken (no pods, bad targetPort)</span><span><i class="external"></i>external</span><span><i class="backend"></i>Service to its pods</span></div>
<h2>Service map</h2>
<div id="map"></div>
<h2>Grid</h2>
<p>Sources with identical verdicts share a row; this namespace's workloads and the entry points against its Service ports (`svclint matrix` has traffic between namespaces).</p>
<div id="grid"></div>
</div>
</section>
<aside id="detail"></aside>
</main>
<script type="application/json" id="svclint-data">{data}</script>
<script type="application/octet-stream" id="svclint-routing" data-encoding="gzip+base64">{routing}</script>
<script>
{js}</script>
</body>
</html>
"""


def _asset(name: str) -> str:
    return resources.files("svclint.report.html").joinpath("assets", name).read_text(encoding="utf-8")


def _json_in_script(data: Any) -> str:
    """JSON that cannot end its <script> element: '<', '>' and '&' as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _visible(value: Any) -> Any:
    """Every string in ``value`` made visible (svclint.escape): the page inserts text only as
    text, but control and bidi characters from a manifest must not disguise what it shows."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, list):
        return [_visible(v) for v in value]
    if isinstance(value, dict):
        return {k: _visible(v) for k, v in value.items()}
    return value


def routing_payload(routing: Any) -> str:
    """The reachability data, gzip-compressed and base64-encoded: its explain chains repeat
    names and policies, so 21 MB of JSON on a 10k-object tree is about a tenth of that.
    The page inflates it with the browser's own DecompressionStream (no library)."""
    raw = json.dumps(_visible(routing), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def render_page(data: dict[str, Any]) -> str:
    data = dict(data)
    routing = data.pop("routing")
    summary = data["summary"]
    counts = f"{summary['findings']} findings in {summary['files']} files, {summary['objects']} objects"
    return _TEMPLATE.format(
        title=html.escape(data["title"]),
        summary=html.escape(counts),
        css=_asset("report.css"),
        js=_asset("report.js"),
        data=_json_in_script(data),
        routing=routing_payload(routing),
    )
