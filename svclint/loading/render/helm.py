"""Helm: attribute ``helm template`` output to the chart's template files.

``helm template`` prints every rendered manifest after a ``# Source: CHART/templates/x.yaml``
comment (helm pkg/action/action.go, ``fmt.Fprintf(b, "---\\n# Source: %s\\n%s\\n", ...)``).
Findings in such a document are reported in that template file, at the line inside the
rendered document (line 1 = the line after the comment): the template's own line numbers
differ wherever ``{{ }}`` expanded to more or fewer lines, which no tool can undo.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence

from svclint.loading.render import RenderError, ToolMissing, find_tool, run_tool
from svclint.loading.source import Segment, split_lines

SOURCE_COMMENT = re.compile(r"^# Source: (\S.*?)\s*$")


def helm_segments(text: str, resolve: Callable[[str], str] = lambda path: path) -> tuple[Segment, ...]:
    """One Segment per ``# Source:`` comment; ``resolve`` maps Helm's path to a display path."""
    if "# Source: " not in text:
        return ()
    segments = []
    for number, line in enumerate(split_lines(text), 1):  # YAML line breaks, like the parser
        if line.startswith("# Source: "):
            match = SOURCE_COMMENT.match(line)
            if match:
                segments.append(Segment(number + 1, resolve(match.group(1)), number))
    return tuple(segments)


def chart_file_resolver(chart_dir: str, display: Callable[[str], str]) -> Callable[[str], str]:
    """Helm names files ``<chart name>/templates/x.yaml`` (subcharts: ``<chart>/charts/<sub>/...``);
    the chart name is Chart.yaml's ``name``, not the directory's, so the first part is replaced
    by the chart directory."""

    def resolve(path: str) -> str:
        parts = path.split("/", 1)
        return display(os.path.join(chart_dir, parts[1])) if len(parts) == 2 else path

    return resolve


def is_chart(directory: str) -> bool:
    """A Helm chart: a directory holding Chart.yaml."""
    return os.path.isfile(os.path.join(directory, "Chart.yaml"))


def render_chart(
    chart_dir: str,
    helm_bin: str = "helm",
    values: Sequence[str] = (),
    set_values: Sequence[str] = (),
    shown: str | None = None,
) -> str:
    """``helm template CHART_DIR [--values F]... [--set K=V]...``; RenderError when helm is
    missing (ToolMissing) or fails. ``shown``: the chart's path in messages."""
    shown = shown or chart_dir
    what = f"Helm chart {shown}"
    if not is_chart(chart_dir):
        raise RenderError(f"{what}: no Chart.yaml in {shown}")
    binary = find_tool(helm_bin)
    if binary is None:
        raise ToolMissing(
            f"{what}: helm was not found on PATH; install helm, or render the chart yourself and pipe it "
            f"in: helm template {shown} | svclint check - --helm-chart-root {shown}"
        )
    options = [arg for value in values for arg in ("--values", value)]
    options += [arg for value in set_values for arg in ("--set", value)]
    return run_tool([binary, "template", chart_dir, *options], what)
