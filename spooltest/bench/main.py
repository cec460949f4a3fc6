#!/usr/bin/env python3
"""The benchmarks: run by `spooltest/run bench` after setup and `mvn package`.

    python3 spooltest/bench/main.py TOP                  (all parts, one run, one scratch directory)
    python3 spooltest/bench/main.py TOP --report-only    (rewrite benchmarks.md from the JSON files)

The parts, each a module with run() and report(): dotlock.py (the dot-lock cycle against its raw C floor,
handoffs), mboxlock.py (the full c-client lock), session.py (the kiss-of-death handoff), mbox.py (parse,
delivery, migration, the Jakarta provider at scale), lmtp.py (the LMTP service against Dovecot's). What they
share is common.py, which imports none of them, and only this file imports them all. See dotlock.py for the
environment variables. A benchmark, not a test: it fails only when something does not work or measures
wrong, never because something is slow. Every child it starts is stopped when it ends, also on failure,
time-out or SIGTERM.
"""
import datetime
import json
import os
import shutil
import signal
import sys
import tempfile
import time

import dotlock
from common import OUT, Stopped, kill_all, log, machine, on_signal, stage_classpath, write_json

def report_only():
    """`main.py TOP --report-only`: rewrites benchmarks.md from the JSON files of the last run (after a change
    to the report's wording; the figures stay those of that run). chart.py then redraws the chart and the
    table at a glance, as after a run."""
    import formats
    import lmtp
    import mbox
    import mboxlock
    import session
    parts = [("benchmarks-mboxlock.json", mboxlock.report, True), ("benchmarks-session.json", session.report, False),
             ("benchmarks-mbox.json", mbox.report, True), ("benchmarks-lmtp.json", lmtp.report, True),
             ("benchmarks-formats.json", formats.report, True)]
    with open(os.path.join(OUT, "benchmarks-dotlock.json")) as f:
        res = json.load(f)
    extra, sections = [], []
    for name, report, with_machine in parts:
        try:
            with open(os.path.join(OUT, name)) as f:
                r = json.load(f)
        except FileNotFoundError:
            continue  # a part newer than the last run
        extra.append((name, r))
        sections.append(report(r, res["machine"]) if with_machine else report(r))
    dotlock.write_report(res, extra, sections)
    log("rewrote %s from the JSON files" % os.path.join(OUT, "benchmarks.md"))


def main():
    if "--report-only" in sys.argv[2:]:
        report_only()
        return
    import formats
    import lmtp
    import mbox
    import mboxlock
    import session
    if os.environ.get("SPOOLLOCK_BENCH_FORMATS_ONLY"):
        return formats_only(formats)
    if mbox.MIGRATE_ONLY:
        return mbox.main(report_only)
    if os.environ.get("SPOOLLOCK_BENCH_LMTP_ONLY"):
        return lmtp_only(lmtp)
    for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    signal.alarm(600)  # a hung child must not hang the run
    started = time.monotonic()
    parent = os.environ.get("SPOOLLOCK_BENCH_PARENT", "/tmp")
    workdir = tempfile.mkdtemp(prefix="spoollock-bench.", dir=parent)
    os.chmod(workdir, 0o1777)  # c-client runs as the unprivileged user and must create its lock here
    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    try:
        stage_classpath(workdir)
        can_cclient = dotlock.run(workdir, res)
        mres = {"date": res["date"], "machine": res["machine"]}
        mres.update(mboxlock.run(workdir, can_cclient))
        sres = {"date": res["date"], "machine": res["machine"]}
        sres.update(session.run(workdir, can_cclient))
        signal.alarm(600)  # the mbox store part (big files, fsyncs) gets 10 minutes of its own
        bres = {"date": res["date"], "machine": res["machine"]}
        bres.update(mbox.run(workdir, can_cclient))
        lres = {"date": res["date"], "machine": res["machine"]}
        lres.update(lmtp.run(workdir, can_cclient))
        signal.alarm(1800)  # three formats, 256 MB each way, several rounds
        fres = {"date": res["date"], "machine": res["machine"]}
        fres.update(formats.run(workdir, can_cclient))
        res["loadavg_after"] = os.getloadavg()
        res["bench_seconds"] = round(time.monotonic() - started, 1)
        for r in (mres, sres, bres, lres, fres):
            r["loadavg_after"] = res["loadavg_after"]
        dotlock.write_report(res, [("benchmarks-mboxlock.json", mres), ("benchmarks-session.json", sres),
                           ("benchmarks-mbox.json", bres), ("benchmarks-lmtp.json", lres),
                           ("benchmarks-formats.json", fres)],
                     [mboxlock.report(mres, res["machine"]), session.report(sres), mbox.report(bres, res["machine"]),
                      lmtp.report(lres, res["machine"]), formats.report(fres, res["machine"])])
        log("done in %.0f s: %s, %s" % (res["bench_seconds"], os.path.join(OUT, "benchmarks.md"),
                                        os.path.join(OUT, "benchmarks-dotlock.json")))
        print(dotlock.summary_line(res))
        print(mboxlock.summary_line(mres))
        print(session.summary_line(sres))
        print(mbox.summary_line(bres))
        print(lmtp.summary_line(lres))
        print(formats.summary_line(fres))
        return mbox.fail_if_wrong(bres)
    finally:
        signal.alarm(0)
        kill_all()
        shutil.rmtree(workdir, ignore_errors=True)


def formats_only(formats):
    """SPOOLLOCK_BENCH_FORMATS_ONLY=1: the formats part alone; its JSON replaces benchmarks-formats.json and
    benchmarks.md is rewritten from the JSON files (the other sections keep the figures of their last run)."""
    for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    workdir = tempfile.mkdtemp(prefix="spoollock-bench.", dir=os.environ.get("SPOOLLOCK_BENCH_PARENT", "/tmp"))
    os.chmod(workdir, 0o1777)
    try:
        stage_classpath(workdir)
        r = {"machine": machine(workdir)}
        r.update(formats.run(workdir, True))
        write_json("benchmarks-formats.json", r)
        report_only()
        print(formats.summary_line(r))
        return 0
    finally:
        kill_all()
        shutil.rmtree(workdir, ignore_errors=True)


def lmtp_only(lmtp):
    """SPOOLLOCK_BENCH_LMTP_ONLY=1: the LMTP part alone, its section and JSON on standard output (docs/ untouched)."""
    workdir = tempfile.mkdtemp(prefix="spoollock-bench.", dir=os.environ.get("SPOOLLOCK_BENCH_PARENT", "/tmp"))
    os.chmod(workdir, 0o1777)
    try:
        stage_classpath(workdir)
        m = machine(workdir)
        r = lmtp.run(workdir, True)
        print("\n".join(lmtp.report(r, m)))
        print(json.dumps(r))
        print(lmtp.summary_line(r))
        return 0
    finally:
        kill_all()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Stopped as e:
        log("%s; children stopped, scratch directories removed" % e)
        sys.exit(128 + e.signum)
