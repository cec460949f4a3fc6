#!/usr/bin/env python3
"""Draws docs/benchmarks.svg from the measured figures in docs/benchmarks-*.json: every benchmark
figure of the issues against its goal, as a bar whose length is figure / goal (turned around where
lower is better), so that 1.0 is "exactly the goal" for all of them and green bars meet it.

    python3 spooltest/bench/chart.py TOP      (run by `spooltest/run bench` after the benchmarks)

Plain SVG written by hand: no plotting library to install. Also puts a link to the chart at the top
of docs/benchmarks.md if it is not there yet.
"""
import json
import os
import sys
from xml.sax.saxutils import escape

TOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
DOCS = os.path.join(TOP, "docs")


def load(name):
    path = os.path.join(DOCS, "benchmarks-%s.json" % name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def dig(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def rows():
    """(label, figure, goal, 'lower'|'higher', unit) for every figure that was measured."""
    out = []
    dot, mbl, mbx = load("dotlock"), load("mboxlock"), load("mbox")
    candidates = [
        ("dot-lock cycle / raw C floor", dig(dot, "ratio_spoollock_to_raw_c"), 1.25, "lower", "x"),
        ("MailboxLock cycle / raw C floor", dig(mbl, "ratio_spoollock_to_raw_c"), 1.25, "lower", "x"),
        ("count 256 MB, whole process / c-client", dig(mbx, "parse", "ratio_spoollock_to_cclient"), 1.0, "lower", "x"),
        ("parse in process", dig(mbx, "parse", "inprocess", "gb_per_s_median"), 1.0, "higher", " GB/s"),
        ("deliver, 1 process / raw C floor", dig(mbx, "deliver", "ratio_single_to_floor"), 0.8, "higher", "x"),
        ("deliver, 4 processes / raw C floor", dig(mbx, "procs", "ratio_java_to_floor"), 0.7, "higher", "x"),
        ("deliver, batches of 100 / raw C floor", dig(mbx, "deliver", "ratio_batch_to_floor"), 10.0, "higher", "x"),
        ("migrate 256 MB to tenex: mailutil / spoollock", dig(mbx, "migrate", "ratio_mailutil_to_spoollock"), 2.0,
         "higher", "x"),
    ]
    for label, figure, goal, better, unit in candidates:
        if isinstance(figure, (int, float)):
            out.append((label, float(figure), goal, better, unit))
    return out


def svg(data):
    width, left, bar_w, row_h, top = 860, 330, 420, 30, 56
    height = top + row_h * len(data) + 40
    scale = bar_w / 3.0  # bars cut at 3x the goal
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="13">'
             % (width, height),
             '<rect width="100%" height="100%" fill="white"/>',
             '<text x="10" y="22" font-size="15" font-weight="bold">spoollock benchmarks: each figure against its goal</text>',
             '<text x="10" y="42" fill="#555">bar = how far past the goal (1 = the goal; green meets it, red does not);'
             ' figures from docs/benchmarks-*.json</text>']
    for i, (label, figure, goal, better, unit) in enumerate(data):
        y = top + i * row_h
        score = goal / figure if better == "lower" else figure / goal
        met = score >= 1.0
        w = max(2.0, min(score, 3.0) * scale)
        parts.append('<text x="10" y="%d">%s</text>' % (y + 19, escape(label)))
        parts.append('<rect x="%d" y="%d" width="%.1f" height="20" fill="%s"/>'
                     % (left, y + 5, w, "#3a3" if met else "#c33"))
        value = ("%.3g" % figure) + unit
        goal_text = ("<= " if better == "lower" else ">= ") + ("%.3g" % goal) + unit
        parts.append('<text x="%.1f" y="%d">%s (goal %s)</text>' % (left + w + 6, y + 19, escape(value), escape(goal_text)))
    x1 = left + scale
    parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black" stroke-dasharray="4,3"/>'
                 % (x1, top, x1, top + row_h * len(data)))
    parts.append('<text x="%.1f" y="%d" text-anchor="middle">goal</text>' % (x1, top + row_h * len(data) + 16))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    data = rows()
    if not data:
        sys.exit("chart.py: no benchmark figures in %s" % DOCS)
    with open(os.path.join(DOCS, "benchmarks.svg"), "w") as f:
        f.write(svg(data))
    md = os.path.join(DOCS, "benchmarks.md")
    if os.path.exists(md):
        with open(md) as f:
            text = f.read()
        if "benchmarks.svg" not in text:
            lines = text.split("\n")
            at = 1 if lines and lines[0].startswith("#") else 0
            lines[at:at] = ["", "![each figure against its goal](benchmarks.svg)"]
            with open(md, "w") as f:
                f.write("\n".join(lines))
    print("chart.py: %d figures drawn in docs/benchmarks.svg" % len(data))


if __name__ == "__main__":
    main()
