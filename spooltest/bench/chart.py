#!/usr/bin/env python3
"""Draws docs/benchmarks.svg from the measured figures in docs/benchmarks-*.json: every benchmark
figure of the issues against its goal, as a bar whose length is figure / goal (turned around where
lower is better), so that 1.0 is "exactly the goal" for all of them and green bars meet it.

    python3 spooltest/bench/chart.py TOP      (run by `spooltest/run bench` after the benchmarks)

Plain SVG written by hand: no plotting library to install. Also puts a link to the chart and an "at a
glance" table (every figure as a ratio to its raw floor and to c-client, from the same run) at the top
of docs/benchmarks.md.
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
        ("parse in process", dig(mbx, "parse", "inprocess", "gb_per_s_median"), 2.0, "higher", " GB/s"),
        ("deliver, 1 process / raw C floor", dig(mbx, "deliver", "ratio_single_to_floor"), 0.8, "higher", "x"),
        ("deliver, 4 processes / raw C floor", dig(mbx, "procs", "ratio_java_to_floor"), 0.7, "higher", "x"),
        ("deliver, batches of 100 / raw C floor", dig(mbx, "deliver", "ratio_batch_to_floor"), 10.0, "higher", "x"),
        ("migrate 256 MB to tenex: mailutil / spoollock", dig(mbx, "migrate", "ratio_mailutil_to_spoollock"), 2.0,
         "higher", "x"),
    ]
    lm = load("lmtp")
    candidates += [
        ("LMTP, 1 connection / raw C floor", dig(lm, "ratios", "1_vs_floor"), 0.8, "higher", "x"),
        ("LMTP, 8 connections, one mbox / raw C floor", dig(lm, "ratios", "8_vs_floor"), 2.0, "higher", "x"),
        ("LMTP, 1 connection / Dovecot LMTP", dig(lm, "ratios", "1_vs_dovecot"), 5.0, "higher", "x"),
        ("LMTP, 4 connections / Dovecot LMTP", dig(lm, "ratios", "4_vs_dovecot"), 50.0, "higher", "x"),
        ("LMTP, 100 mailboxes: peak RSS", dig(lm, "spoollock", "hundred_mailboxes", "peak_rss_mb"), 256.0, "lower", " MB"),
    ]
    fm = load("formats")
    candidates += [
        ("mbox 256 MB to Maildir: mb2md / spoollock", dig(fm, "maildir", "ratio_peer_to_spoollock"), 2.0, "higher", "x"),
        ("mbox 256 MB to mbx: mailutil / spoollock", dig(fm, "mbx", "ratio_peer_to_spoollock"), 1.0, "higher", "x"),
        ("mbox 256 MB to IMAP: mailutil / spoollock", dig(fm, "imap", "ratio_peer_to_spoollock"), 2.0, "higher", "x"),
    ]
    for label, figure, goal, better, unit in candidates:
        if isinstance(figure, (int, float)):
            out.append((label, float(figure), goal, better, unit))
    return out


def ratio(a, b):
    return a / b if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None


def glance():
    """Markdown rows: figure | spoollock | goal | x raw floor | x c-client (same run; '-' where the run has no
    such peer measurement, with the reason in the last column)."""
    dot, mbl, ses, mbx = load("dotlock"), load("mboxlock"), load("session"), load("mbox")
    us = lambda ns: None if ns is None else ns / 1000.0
    r = []
    # (what, value, unit, goal, x floor, x c-client, note); ratios are "spoollock / other" for times (lower is
    # better) and "spoollock / other" for rates (higher is better); the note says which
    r.append(("dot-lock lock+unlock cycle, in process", us(dig(dot, "spoollock_inprocess", "median_ns_per_cycle")), "us",
              "<= 1.25x floor", dig(dot, "ratio_spoollock_to_raw_c"), None,
              "time; c-client's dotlock_lock is measured per process only (fork+exec), not comparable"))
    r.append(("dot-lock handoff, median", dig(dot, "handoff_spoollock", "median_ms"), "ms", "<= 5 ms", None,
              ratio(dig(dot, "handoff_spoollock", "median_ms"), dig(dot, "handoff_cclient", "median_ms")),
              "time; c-client retries with sleep(1)"))
    r.append(("MailboxLock cycle (dot-lock+open+flock), in process", us(dig(mbl, "spoollock", "median_ns_per_cycle")), "us",
              "<= 1.25x floor", dig(mbl, "ratio_spoollock_to_raw_c"), None, "time; as above for c-client"))
    r.append(("MailboxLock handoff, median", dig(mbl, "handoff_spoollock", "median_ms"), "ms", "", None,
              ratio(dig(mbl, "handoff_spoollock", "median_ms"), dig(mbl, "handoff_cclient", "median_ms")), "time"))
    r.append(("kiss-of-death handoff Java->Java vs c-client->c-client, median", dig(ses, "java_to_java", "median_ms"), "ms",
              "", None, ratio(dig(ses, "java_to_java", "median_ms"), dig(ses, "cclient_to_cclient", "median_ms")),
              "time; c-client polls once a second"))
    r.append(("count a 268 MB mbox, whole process", dig(mbx, "parse", "spoollock", "median_ms"), "ms", "<= 1x c-client",
              None, dig(mbx, "parse", "ratio_spoollock_to_cclient"), "time, JVM start included"))
    r.append(("parse, in process", dig(mbx, "parse", "inprocess", "gb_per_s_median"), "GB/s", ">= 2 GB/s", None, None,
              "rate; no in-process peer"))
    fl = dig(mbx, "deliver", "floor", "median_messages_per_s")
    cc = dig(mbx, "deliver", "cclient", "median_messages_per_s")
    for what, key, goal in (("deliver, 1 process", "single", ">= 0.8x floor"), ("deliver, batches of 100", "batch",
                                                                                 ">= 10x floor"),
                            ("deliver, DeliveryQueue 8 threads", "queue", "")):
        v = dig(mbx, "deliver", key, "median_messages_per_s")
        xf = dig(mbx, "deliver", "ratio_%s_to_floor" % key)  # the median of per-round ratios, as the report gives
        r.append((what, v, "msg/s", goal, xf if xf is not None else ratio(v, fl), ratio(v, cc),
                  "rate; c-client = mail_append as an MDA"))
    r.append(("deliver, 4 processes", dig(mbx, "procs", "java", "median_messages_per_s"), "msg/s", ">= 0.7x floor",
              dig(mbx, "procs", "ratio_java_to_floor"), None, "rate; no 4-process c-client run"))
    mig = dig(mbx, "migrate", "ratio_mailutil_to_spoollock")
    r.append(("migrate 269 MB mbox to tenex", dig(mbx, "migrate", "spoollock", "median_ms"), "ms", "mailutil/spoollock >= 2",
              dig(mbx, "migrate", "ratio_spoollock_to_floor"), None if mig is None else 1.0 / mig,
              "time; c-client = mailutil copy; floor = the same bytes read, written, fsynced once"))
    lm = load("lmtp")
    for c, goal in ((1, ">= 0.8x floor, >= 5x Dovecot"), (4, ">= 50x Dovecot"), (8, ">= 2x floor")):
        v = dig(lm, "spoollock", "one_mailbox_%d" % c, "messages_per_s")
        r.append(("LMTP into one mbox, %d connection%s (Python smtplib)" % (c, "s" if c > 1 else ""), v, "msg/s", goal,
                  dig(lm, "ratios", "%d_vs_floor" % c), None,
                  "rate; x Dovecot's LMTP: %s" % (dig(lm, "ratios", "%d_vs_dovecot" % c) or "-")))
    fmt = lambda x: "-" if x is None else ("{:,.0f}".format(x) if abs(x) >= 100 else "%.3g" % x)
    lines = ["| figure | spoollock | goal | x raw C floor | x c-client | ratio of |", "|---|---:|---|---:|---:|---|"]
    for what, v, unit, goal, xf, xc, note in r:
        if v is None:
            continue
        lines.append("| %s | %s %s | %s | %s | %s | %s |" % (what, fmt(v), unit, goal or "-", fmt(xf), fmt(xc), note))
    return lines


def put_glance(text, lines):
    """Replaces (or inserts after the chart link) the block between the glance markers."""
    start, end = "<!-- glance: written by spooltest/bench/chart.py -->", "<!-- /glance -->"
    block = "\n".join([start, "", "At a glance (all from the run below; a ratio under 1 is faster for times,"
                        " slower for rates):", ""] + lines + ["", end])
    if start in text and end in text:
        return text[:text.index(start)] + block + text[text.index(end) + len(end):]
    anchor = "![each figure against its goal](benchmarks.svg)"
    if anchor in text:
        i = text.index(anchor) + len(anchor)
        return text[:i] + "\n\n" + block + text[i:]
    return block + "\n\n" + text


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
            text = "\n".join(lines)
        with open(md, "w") as f:
            f.write(put_glance(text, glance()))
    print("chart.py: %d figures drawn in docs/benchmarks.svg" % len(data))


if __name__ == "__main__":
    main()
