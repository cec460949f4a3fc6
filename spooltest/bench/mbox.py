#!/usr/bin/env python3
"""The mbox store benchmarks: parse, delivery and migration. Part of `spooltest/run bench`, called from dotlock.py
(same run, same report); can also be run alone, with the same conventions:

    python3 spooltest/bench/mbox.py TOP     (this part only: writes docs/benchmarks-mbox.json, then
                                             rewrites docs/benchmarks.md from all the JSON files)
    SPOOLLOCK_BENCH_MIGRATE_ONLY=1 python3 spooltest/bench/mbox.py TOP
                                            (only f below; its figures replace the last run's in
                                             docs/benchmarks-mbox.json, the other parts' stay; the same
                                             under dotlock.py, so `spooltest/run bench` too: a short run
                                             of the migration and its counts, e.g. with
                                             SPOOLLOCK_BENCH_PARSE_MB=16 SPOOLLOCK_BENCH_MIGRATE_ROUNDS=1
                                             SPOOLLOCK_BENCH_MIGRATE_ONE_CPU_ROUNDS=0
                                             SPOOLLOCK_BENCH_MIGRATE_DIAGNOSE=0 and SPOOLLOCK_BENCH_OUT)
Exit status 1 when something measured is wrong, after the report is written: a count that is not the number of
messages (b, d, f; most stop the run at once), or spoollock's and mailutil's tenex files not byte-for-byte
identical (f). Speed goals missed are reported, never failed.

  a. parse: a generated mbox of about 256 MB (realistic messages of 2-20 KB, body lines starting
     "From " that are not From_ lines, a few ">From " lines, read and unread messages): the whole
     process `bin/spoollock count FILE` against c-client's own parser (spooltest/c/cclient-count.c:
     mail_open read-only, print nmsgs, as the test user), wall time, alternating, page cache warm for
     both (one untimed run of each first), with both on a one-message mbox for their start-up cost;
     and in-process throughput, MboxIndex.scan in a warm JVM (MboxParseBench);
  b. memory: `JAVA_OPTS=-Xmx32m bin/spoollock count` on a generated mbox of about 1 GB (the 256 MB
     file is its first part): must succeed and count what c-client counts;
  c. delivery, one process, 4 KB messages, full locks and an fsync each: the raw C floor
     (spooltest/c/bench-deliver-raw.c: dot-lock, open O_APPEND, flock, write, fsync, futimens,
     unlock) against MboxAppender.append of one message per call (MboxDeliveryBench) and against
     c-client's own mail_append() (spooltest/c/bench-cclient-append.c, as the test user); and, to
     tell where spoollock's time goes, the floor with spoollock's append-intent file added
     (bench-deliver-raw -i);
  e. (in the same rounds) MboxAppender.append of batches of 100 messages, and DeliveryQueue with 8
     threads, against the same single-message C floor;
  d. four delivering processes into one mailbox: 4 JVMs against 4 C floor processes, aggregate
     rate; afterwards the mailbox must hold exactly the messages sent (Message-ID scan, spoollock's
     count and c-client's count); and once 2 JVMs and 2 C floors together in one mailbox;
  f. migration: the parse part's mbox (generated again, same seed), flags set on some messages with
     `bin/spoollock flag` as the test user, copied to tenex by the whole process `bin/spoollock copy
     --no-progress --format tenex SRC DST` (which verifies every message at the end) and by c-client's
     `mailutil copy SRC '#driver.tenex/DST'`, both as the test user with names relative to its home, DST
     new each time, wall time, alternating, page cache warm (one untimed run of each first), `sync`
     before each run, both on a one-message mbox too; after each run both spoollock's and c-client's
     count of the target must be the source's. Then untimed runs of spoollock to see where its time goes:
     one watched (target size and per-thread CPU from /proc, -Xlog:gc), one under JFR, and one of each
     program under strace for their fsyncs.
Rounds alternate the order of the kinds; figures are medians over rounds, ratios medians of per-round
ratios (each against the C floor of its own round). Every mailbox is fresh (empty) for its batch.

The files live in a scratch directory under the test user's home (c-client wants a mailbox name
relative to it and must be able to lock there); it is removed at the end, also on failure.

Environment (all optional):
  SPOOLLOCK_BENCH_PARSE_MB          size of the parse mbox in MiB (default 256)
  SPOOLLOCK_BENCH_PARSE_BIG_MB      size of the memory-test mbox in MiB (default 1024; 0 skips b)
  SPOOLLOCK_BENCH_PARSE_ROUNDS      timed whole-process runs of each (default 5)
  SPOOLLOCK_BENCH_PARSE_SCANS       timed in-process scans (default 10, after 3 untimed)
  SPOOLLOCK_BENCH_DELIVER_ROUNDS    rounds of single-process delivery batches (default 11: many short rounds, as
                                    mboxlock.py, because the disk's speed changes between batches on a shared
                                    machine and the per-round pairs are then closer in time)
  SPOOLLOCK_BENCH_DELIVER_N         messages per floor and per spoollock single batch (default 500)
  SPOOLLOCK_BENCH_DELIVER_BATCH_N   messages per batch-of-100 batch (default 5000)
  SPOOLLOCK_BENCH_DELIVER_QUEUE_N   messages per DeliveryQueue batch (default 2000)
  SPOOLLOCK_BENCH_DELIVER_CCLIENT_N c-client appends per batch (default 60; 0 skips c-client)
  SPOOLLOCK_BENCH_DELIVER_WARMUP    untimed spoollock single appends before the rounds (default 20000; as many
                                    messages in batches, half as many through the queue; the concurrent JVMs
                                    half as many single ones each), on tmpfs (/dev/shm) where there is one:
                                    there fsync costs nothing, so the JIT warms up in seconds on the same code
  SPOOLLOCK_BENCH_DELIVER_PROCS     concurrent delivering processes (default 4)
  SPOOLLOCK_BENCH_DELIVER_PROC_N    messages per process per round (default 500)
  SPOOLLOCK_BENCH_DELIVER_PROC_ROUNDS  rounds of the concurrent case (default 3)
  SPOOLLOCK_BENCH_MIGRATE_ROUNDS    timed migrations of each program (default 3); the mbox is SPOOLLOCK_BENCH_PARSE_MB
  SPOOLLOCK_BENCH_MIGRATE_DIAGNOSE  0 skips the untimed diagnostic runs of f (default 1)
  SPOOLLOCK_BENCH_MIGRATE_ONE_CPU_ROUNDS  timed migrations of each program pinned to one CPU (`taskset -c 0`),
                                    after the others (default 3; 0 skips): the JVM's compiler and GC threads
                                    then share the CPU with the copy, as on a busy server
  SPOOLLOCK_BENCH_MIGRATE_ONLY      1: only f (see above), also when run by dotlock.py
"""
import datetime
import json
import glob
import os
import pwd
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import common as base
from common import as_user_kw, generate, status_flags, timed_run, user_file

E = os.environ.get
PARSE_MB = int(E("SPOOLLOCK_BENCH_PARSE_MB", "256"))
BIG_MB = int(E("SPOOLLOCK_BENCH_PARSE_BIG_MB", "1024"))
PARSE_ROUNDS = int(E("SPOOLLOCK_BENCH_PARSE_ROUNDS", "5"))
PARSE_SCANS = int(E("SPOOLLOCK_BENCH_PARSE_SCANS", "10"))
PARSE_WARMUP = 3
ROUNDS = int(E("SPOOLLOCK_BENCH_DELIVER_ROUNDS", "11"))
N = int(E("SPOOLLOCK_BENCH_DELIVER_N", "500"))
BATCH = 100
BATCH_N = int(E("SPOOLLOCK_BENCH_DELIVER_BATCH_N", "5000"))
THREADS = 8
QUEUE_N = int(E("SPOOLLOCK_BENCH_DELIVER_QUEUE_N", "2000"))
CC_N = int(E("SPOOLLOCK_BENCH_DELIVER_CCLIENT_N", "60"))
WARMUP = int(E("SPOOLLOCK_BENCH_DELIVER_WARMUP", "20000"))
PROCS = int(E("SPOOLLOCK_BENCH_DELIVER_PROCS", "4"))
PROC_N = int(E("SPOOLLOCK_BENCH_DELIVER_PROC_N", "500"))
PROC_ROUNDS = int(E("SPOOLLOCK_BENCH_DELIVER_PROC_ROUNDS", "3"))
MIGRATE_ROUNDS = int(E("SPOOLLOCK_BENCH_MIGRATE_ROUNDS", "3"))
MIGRATE_DIAGNOSE = E("SPOOLLOCK_BENCH_MIGRATE_DIAGNOSE", "1") != "0"
MIGRATE_ONE_CPU_ROUNDS = int(E("SPOOLLOCK_BENCH_MIGRATE_ONE_CPU_ROUNDS", "3"))
MIGRATE_ONLY = E("SPOOLLOCK_BENCH_MIGRATE_ONLY", "0") != "0"
FLOOR_WARMUP = 100  # untimed deliveries of each C floor process, into the same mailbox
CC_WARMUP = 5       # untimed c-client appends, into the same mailbox

SPOOLLOCK = os.path.join(base.TOP, "bin", "spoollock")
RAW = os.path.join(base.TOP, "spooltest", "bin", "bench-deliver-raw")
CC_APPEND = os.path.join(base.TOP, "spooltest", "bin", "bench-cclient-append")
CC_COUNT = os.path.join(base.TOP, "spooltest", "bin", "cclient-count")
COPY_FLOOR = os.path.join(base.TOP, "spooltest", "bin", "bench-copy-raw")
MAILUTIL = shutil.which("mailutil") or "/usr/bin/mailutil"
TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")

PARSE_RATIO_GOAL = 1.0     # spoollock count wall time <= c-client's
PARSE_GBPS_GOAL = 2.0      # in-process MboxIndex.scan, all cores (issue 20: >= 2 GB/s on 2 cores)
SINGLE_GOAL = 0.8          # spoollock single-message delivery rate >= 0.8 x the C floor
CCLIENT_EXPECTED = 0.25    # what c-client was expected to reach, for the report
PROCS_GOAL = 0.7           # 4 JVMs >= 0.7 x 4 C floor processes
BATCH_GOAL = 10.0          # batch of 100 / DeliveryQueue >= 10 x the single-message C floor
MIGRATE_GOAL = 2.0         # mailutil copy's wall time / spoollock copy's >= 2
# The floor's syscalls for one delivery (spooltest/c/bench-deliver-raw.c).
FLOOR = {"openat": 2, "write": 2, "fchmod": 1, "link": 1, "fstat": 1, "unlink": 2, "flock": 2, "fsync": 1,
         "utimensat": 1, "close": 3, "lstat": 1}
MSGID = re.compile(rb"^Message-ID: <([^>\n]*)>", re.M)


# ---------------------------------------------------------------- helpers

def proc_cpu_ms(pid):
    """(user, system, JIT compiler threads' user + system) CPU ms of a process so far: all its threads,
    those that have ended included; the JIT's from its live compiler threads."""
    with open("/proc/%d/stat" % pid) as f:
        w = f.read().rsplit(")", 1)[1].split()
    jit = 0
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, t)) as f:
                if not re.match(r"C[12] Compiler", f.read()):
                    continue
            with open("/proc/%d/task/%s/stat" % (pid, t)) as f:
                tw = f.read().rsplit(")", 1)[1].split()
            jit += int(tw[11]) + int(tw[12])
        except OSError:
            pass
    return int(w[11]) * TICK_MS, int(w[12]) * TICK_MS, jit * TICK_MS


def message_ids(path):
    with open(path, "rb") as f:
        ids = MSGID.findall(f.read())
    return len(ids), len(set(ids))


def quartiles(xs):
    s = sorted(xs)
    q = lambda p: s[min(len(s) - 1, int(p * (len(s) - 1) + 0.5))]
    return [round(q(0.25), 3), round(q(0.5), 3), round(q(0.75), 3)]


def strace_counts(cmd, per, out_file, **kw):
    """strace -f -c of cmd: calls per `per` (deliveries) for each syscall, sorted by count."""
    if not shutil.which("strace"):
        return {"skipped": "strace is not installed"}
    res = subprocess.run(["strace", "-f", "-c", "-o", out_file] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, **kw)
    if res.returncode != 0:
        return {"skipped": "exit %d: %s" % (res.returncode, res.stderr.strip()[:300])}
    counts = {}
    with open(out_file) as f:
        for line in f:
            w = line.split()
            if len(w) >= 5 and w[0][0].isdigit() and not w[-1].startswith("total"):
                counts[w[-1]] = int(w[3])
    os.unlink(out_file)
    return {k: round(v / per, 2) for k, v in sorted(counts.items(), key=lambda kv: -kv[1]) if v / per >= 0.05}


# ---------------------------------------------------------------- a, b: the generated mbox

JDK25 = E("SPOOLLOCK_BENCH_JDK25", "/usr/lib/jvm/temurin-25-jdk-amd64")


STARTUP_ROUNDS = int(E("SPOOLLOCK_BENCH_STARTUP_ROUNDS", "7"))
STARTUP_TINY_GOAL_MS = 200  # issue 20: one-message count on JDK 25


def wait_for_aot_cache(limit_s=300):
    """JDK 24+: the launcher records its AOT cache in the background after the first run (a training run, then
    the cache written: 30-60 s here) and marks the attempt with aot-*.aot.lock until it is done; runs before
    that start without a cache. Wait for it, so that the timed runs measure what every later start pays."""
    start = time.monotonic()
    target = os.path.join(base.TOP, "target")
    while glob.glob(os.path.join(target, "aot-*.aot.lock")) and time.monotonic() - start < limit_s:
        # a failed attempt leaves its lock for good (the launcher does not retry): only wait while the
        # recording's scratch files (aot-*.aot.PID.conf, aot-*.aot.PID) are there, or may yet appear
        if not glob.glob(os.path.join(target, "aot-*.aot.[0-9]*")) and time.monotonic() - start > 10:
            break
        time.sleep(1)


def startup_bench(par, tiny, expected):
    """Whole-process `bin/spoollock count` per JDK, as an MDA or a script pays it: the launcher's class data
    (JDK 17: a dynamic CDS archive; JDK 25: an AOT cache) written by two untimed runs, then STARTUP_ROUNDS
    timed runs on the one-message mbox and 3 on the parse mbox, alternating."""
    jdks = [("17", None)]
    if os.path.isfile(os.path.join(JDK25, "bin", "java")):
        jdks.append(("25", JDK25))
    out = {}
    for name, home in jdks:
        env = dict(os.environ)
        env.pop("JAVA_OPTS", None)
        env.pop("SPOOLLOCK_CDS", None)
        if home:
            env["JAVA_HOME"] = home
        else:
            env.pop("JAVA_HOME", None)

        def count(path, want):
            ms, rc, o, err, ru = timed_run([SPOOLLOCK, "count", path], env=env)
            if rc != 0 or o.strip().splitlines()[-1:] != [str(want)]:
                raise RuntimeError("JDK %s: count of %s: exit %d, %r; %s" % (name, path, rc, o[-100:], err[-300:]))
            return ms
        for _ in range(2):  # the first run writes the archive or cache, the second is the first to use it
            count(tiny, 1)
            wait_for_aot_cache()
            count(par, expected)
        tiny_ms = [round(count(tiny, 1), 1) for _ in range(STARTUP_ROUNDS)]
        big_ms = [round(count(par, expected), 1) for _ in range(3)]
        out[name] = {"java_home": home or "(java on the PATH)", "tiny_ms": tiny_ms, "tiny_median_ms": base.median(tiny_ms),
                     "parse_ms": big_ms, "parse_median_ms": base.median(big_ms)}
    return out


def parse_bench(d, home, uid, gid, can_cc):
    res = {}
    big = os.path.join(d, "big-mbox")
    par = os.path.join(d, "parse-mbox")
    tiny = os.path.join(d, "tiny-mbox")
    t0 = time.monotonic()
    if BIG_MB > 0:
        base.log("generating a %d MiB mbox (its first %d MiB are the parse mbox)" % (BIG_MB, PARSE_MB))
        facts = generate(big, BIG_MB, par, PARSE_MB)
        res["parse_file"] = facts["prefix"]
        res["big_file"] = facts["file"]
    else:
        base.log("generating a %d MiB mbox" % PARSE_MB)
        res["parse_file"] = generate(par, PARSE_MB, None, 0)["file"]
    user_file(tiny, uid, gid, b"From alice@example.org Sat Nov 21 10:00:00 2026\nSubject: x\n\nbody\n")
    for p in (big, par):
        if os.path.exists(p) and uid is not None:
            os.chown(p, uid, gid)
    os.sync()  # let writeback finish before anything is timed
    res["generate_s"] = round(time.monotonic() - t0, 1)
    expected = res["parse_file"]["messages"]

    def sl(path, opts=None):
        env = dict(os.environ)
        env.pop("JAVA_OPTS", None)
        if opts:
            env["JAVA_OPTS"] = opts
        return timed_run([SPOOLLOCK, "count", path], env=env)

    def cc(path):
        return timed_run([CC_COUNT, os.path.relpath(path, home)], **as_user_kw(home))

    def one(kind, path, want):
        ms, rc, out, err, ru = sl(path) if kind == "spoollock" else cc(path)
        got = int(out.strip().splitlines()[-1]) if rc == 0 and out.strip() else None
        if rc != 0 or got != want:
            raise RuntimeError("%s count of %s: exit %d, printed %r (expected %d); stderr: %s"
                               % (kind, path, rc, out.strip()[:100], want, err.strip()[:500]))
        return ms, ru, err

    kinds = ["spoollock"] + (["cclient"] if can_cc else [])
    base.log("parse: %s on the %d MiB file, %d rounds (+1 untimed each)" % (" and ".join(kinds), PARSE_MB, PARSE_ROUNDS))
    for k in kinds:  # page cache warm for both, and the launcher's build check done
        one(k, par, expected)
        one(k, tiny, 1)
    wall = {k: [] for k in kinds}
    tiny_wall = {k: [] for k in kinds}
    cpu = {k: [] for k in kinds}
    rss = {k: 0 for k in kinds}
    stderr = {}
    for r in range(PARSE_ROUNDS):
        order = kinds if r % 2 == 0 else kinds[::-1]
        for k in order:
            ms, ru, err = one(k, par, expected)
            wall[k].append(round(ms, 1))
            cpu[k].append(round((ru.ru_utime + ru.ru_stime) * 1000, 1))
            rss[k] = max(rss[k], ru.ru_maxrss)
            if err.strip():
                stderr[k] = err.strip()[:500]
        for k in order:
            tiny_wall[k].append(round(one(k, tiny, 1)[0], 1))
    for k in kinds:
        res[k] = {"wall_ms": wall[k], "median_ms": round(base.median(wall[k]), 1), "cpu_ms": cpu[k],
                  "median_cpu_ms": round(base.median(cpu[k]), 1), "max_rss_kb": rss[k],
                  "tiny_wall_ms": tiny_wall[k], "tiny_median_ms": round(base.median(tiny_wall[k]), 1),
                  "count": expected, "stderr": stderr.get(k, "")}
    if can_cc:
        per = [a / b for a, b in zip(wall["spoollock"], wall["cclient"])]
        res["ratio_spoollock_to_cclient_per_round"] = [round(x, 3) for x in per]
        res["ratio_spoollock_to_cclient"] = round(base.median(per), 3)
        res["ratio_of_medians_spoollock_to_cclient"] = round(res["spoollock"]["median_ms"] / res["cclient"]["median_ms"], 3)
        net_s = res["spoollock"]["median_ms"] - res["spoollock"]["tiny_median_ms"]
        net_c = res["cclient"]["median_ms"] - res["cclient"]["tiny_median_ms"]
        res["ratio_minus_startup"] = round(net_s / net_c, 3) if net_c > 0 else None

    base.log("parse: in-process MboxIndex.scan (%d untimed, %d timed)" % (PARSE_WARMUP, PARSE_SCANS))
    res["inprocess"] = base.run_json(base.java("MboxParseBench", par, str(PARSE_WARMUP), str(PARSE_SCANS)), env=base.JAVA_ENV)
    if res["inprocess"]["count"] != expected:
        raise RuntimeError("MboxParseBench counted %d, expected %d" % (res["inprocess"]["count"], expected))
    # the same on one thread (the parallel scan turned off), for what the parts gain
    one = base.java("MboxParseBench", par, str(PARSE_WARMUP), str(PARSE_SCANS))
    one.insert(1, "-Dspoollock.parse.threads=1")
    res["inprocess_one_thread"] = base.run_json(one, env=base.JAVA_ENV)
    if res["inprocess_one_thread"]["count"] != expected:
        raise RuntimeError("MboxParseBench (one thread) counted %d, expected %d" % (res["inprocess_one_thread"]["count"], expected))

    base.log("start-up: bin/spoollock count on JDK 17 (class-data archive) and JDK 25 (AOT cache), tiny and %d MiB" % PARSE_MB)
    res["startup"] = startup_bench(par, tiny, expected)

    base.log("provider: Folder.search on the %d MiB file (FolderScaleBench)" % PARSE_MB)
    res["provider_search"] = base.run_json(base.java("FolderScaleBench", "search", par, "2", "5"), env=base.JAVA_ENV)
    base.log("provider: 220 folders open in one JVM (FolderScaleBench sessions)")
    sdir = tempfile.mkdtemp(prefix="sessions.", dir=d)
    res["provider_sessions"] = base.run_json(base.java("FolderScaleBench", "sessions", sdir), env=base.JAVA_ENV)
    shutil.rmtree(sdir, ignore_errors=True)

    if BIG_MB > 0:
        base.log("provider: folder.open of the %d MiB file, -Xmx64m (FolderScaleBench open)" % BIG_MB)
        cmd = base.java("FolderScaleBench", "open", big)
        cmd.insert(1, "-Xmx64m")
        res["provider_open"] = base.run_json(cmd, env=base.JAVA_ENV)
        base.log("memory: JAVA_OPTS=-Xmx32m bin/spoollock count on the %d MiB file" % BIG_MB)
        os.unlink(par)
        want = res["big_file"]["messages"]
        mem = {"java_opts": "-Xmx32m", "expected": want}
        ms, rc, out, err, ru = sl(big, "-Xmx32m")
        mem["spoollock"] = {"wall_ms": round(ms, 1), "exit": rc, "printed": out.strip()[-100:],
                            "max_rss_kb": ru.ru_maxrss, "cpu_ms": round((ru.ru_utime + ru.ru_stime) * 1000, 1),
                            "stderr": err.strip()[:500]}
        if can_cc:
            ms, rc, out, err, ru = cc(big)
            mem["cclient"] = {"wall_ms": round(ms, 1), "exit": rc, "printed": out.strip()[-100:],
                              "max_rss_kb": ru.ru_maxrss, "cpu_ms": round((ru.ru_utime + ru.ru_stime) * 1000, 1),
                              "stderr": err.strip()[:500]}
        ok = mem["spoollock"]["exit"] == 0 and mem["spoollock"]["printed"] == str(want)
        mem["spoollock_ok"] = ok
        mem["counts_agree"] = ok and (not can_cc or mem["cclient"]["printed"] == str(want))
        res["memory"] = mem
        os.unlink(big)
    else:
        os.unlink(par)
    os.unlink(tiny)
    return res


# ---------------------------------------------------------------- c, d, e: delivery

class Jvm(base.Proc):
    """A MboxDeliveryBench serve JVM: one JSON line per command."""

    def __init__(self):
        super().__init__(base.java("MboxDeliveryBench", "serve"), env=base.JAVA_ENV)

    def start(self, cmd):
        self.send(cmd)

    def result(self):
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("MboxDeliveryBench ended (exit %s)" % self.p.poll())
        return json.loads(line)

    def run(self, cmd):
        self.start(cmd)
        return self.result()


def warm_dir(d):
    """Where the JVMs warm up: a directory on tmpfs if there is one (fsync is free there, so 20000
    deliveries take seconds and the JIT compiles the same code), else the scratch directory."""
    if os.path.isdir("/dev/shm") and "tmpfs" in base.sh_out("findmnt", "-n", "-o", "FSTYPE", "-T", "/dev/shm").split():
        try:
            return tempfile.mkdtemp(prefix="spoollock-mbox-warm.", dir="/dev/shm")
        except OSError:
            pass
    return tempfile.mkdtemp(prefix="warm.", dir=d)


def fresh(d, name, uid, gid):
    p = os.path.join(d, name)
    user_file(p, uid, gid)
    return p


def verify(path, expected, home, can_cc, counts=False):
    """Message-IDs in the mailbox: how many, how many distinct; with counts, also spoollock's and
    c-client's message count. ok when everything equals `expected`."""
    n, distinct = message_ids(path)
    v = {"expected": expected, "message_ids": n, "distinct_message_ids": distinct}
    ok = n == expected and distinct == expected
    if counts:
        ms, rc, out, err, _ = timed_run([SPOOLLOCK, "count", path])
        v["spoollock_count"] = int(out.strip()) if rc == 0 else "exit %d: %s" % (rc, err.strip()[:200])
        ok = ok and v["spoollock_count"] == expected
        if can_cc:
            ms, rc, out, err, _ = timed_run([CC_COUNT, os.path.relpath(path, home)], **as_user_kw(home))
            v["cclient_count"] = int(out.strip()) if rc == 0 else "exit %d: %s" % (rc, err.strip()[:200])
            ok = ok and v["cclient_count"] == expected
    v["ok"] = ok
    if not ok:
        raise RuntimeError("mailbox %s does not hold exactly the messages delivered: %s" % (path, v))
    return v


def deliver_single(d, home, uid, gid, can_cc):
    """c and e: rounds of floor, spoollock single, batch, queue and c-client, order turning."""
    kinds = ["floor", "floor_intent", "floor_note_in_place", "single", "jakarta", "batch", "queue"] + (["cclient"] if can_cc and CC_N > 0 else [])
    # the provider's APPEND as a fresh JVM sees it: the first 300 messages, class loading and JIT included
    fresh_jvm = Jvm()
    try:
        wd0 = warm_dir(d)
        try:
            mb0 = fresh(wd0, "jakarta-fresh", None, None)
            first300 = fresh_jvm.run("jakarta %s %d" % (mb0, 300))["messages_per_s"]
        finally:
            shutil.rmtree(wd0, ignore_errors=True)
        fresh_jvm.send("quit")
    finally:
        fresh_jvm.close()
    jvm = Jvm()
    res = {"kinds": kinds, "rounds": ROUNDS, "n": {"floor": N, "floor_intent": N, "floor_note_in_place": N, "single": N, "jakarta": N,
                                                   "batch": BATCH_N, "queue": QUEUE_N, "cclient": CC_N},
           "jakarta_fresh_jvm_first_300_messages_per_s": first300,
           "batch_size": BATCH, "queue_threads": THREADS, "warmup_single": WARMUP, "floor_warmup": FLOOR_WARMUP,
           "cclient_warmup": CC_WARMUP}
    rate = {k: [] for k in kinds}
    user = {k: [] for k in kinds}
    sys_ = {k: [] for k in kinds}
    bytes_per = {k: [] for k in kinds}
    jit = {k: [] for k in kinds}
    checked = 0
    try:
        w0 = time.monotonic()
        wd = warm_dir(d)
        res["warmup_directory"] = "%s (%s)" % (wd, (base.sh_out("findmnt", "-n", "-o", "FSTYPE", "-T", wd).split() or ["?"])[0])
        base.log("delivery: JVM warm-up in %s (%d single appends, %d messages in batches, %d through the queue)"
                 % (res["warmup_directory"], WARMUP, WARMUP, WARMUP // 2))
        try:
            res["warmup_rates"] = [
                jvm.run("single %s %d" % (fresh(wd, "single", None, None), WARMUP))["messages_per_s"],
                jvm.run("jakarta %s %d" % (fresh(wd, "jakarta", None, None), WARMUP))["messages_per_s"],
                jvm.run("batch %s %d %d" % (fresh(wd, "batch", None, None), WARMUP, BATCH))["messages_per_s"],
                jvm.run("queue %s %d %d" % (fresh(wd, "queue", None, None), WARMUP // 2, THREADS))["messages_per_s"]]
        finally:
            shutil.rmtree(wd, ignore_errors=True)
        res["warmup_s"] = round(time.monotonic() - w0, 1)
        base.log("delivery, one process: %s, %d rounds" % (", ".join(kinds), ROUNDS))
        for r in range(ROUNDS):
            for i in range(len(kinds)):
                k = kinds[(r + i) % len(kinds)]
                mb = fresh(d, "%s-%d" % (k, r), uid, gid)
                if k in ("floor", "floor_intent", "floor_note_in_place"):
                    flag = {"floor": [], "floor_intent": ["-i"], "floor_note_in_place": ["-p"]}[k]
                    ms, rc, out, err, ru = timed_run([RAW] + flag + [mb, str(N), str(FLOOR_WARMUP)])
                    if rc != 0:
                        raise RuntimeError("bench-deliver-raw failed: " + err.strip())
                    j = json.loads(out.strip().splitlines()[-1])
                    total = N + FLOOR_WARMUP
                    u, s = ru.ru_utime * 1000 / total, ru.ru_stime * 1000 / total
                elif k == "cclient":
                    ms, rc, out, err, ru = timed_run([CC_APPEND, os.path.relpath(mb, home), str(CC_N), str(CC_WARMUP)],
                                                     **as_user_kw(home))
                    if rc != 0:
                        raise RuntimeError("bench-cclient-append failed: " + err.strip())
                    j = json.loads(out.strip().splitlines()[-1])
                    total = CC_N + CC_WARMUP
                    u, s = ru.ru_utime * 1000 / total, ru.ru_stime * 1000 / total
                else:
                    n = res["n"][k]
                    cmd = {"single": "single %s %d" % (mb, n), "jakarta": "jakarta %s %d" % (mb, n),
                           "batch": "batch %s %d %d" % (mb, n, BATCH),
                           "queue": "queue %s %d %d" % (mb, n, THREADS)}[k]
                    u0, s0, c0 = proc_cpu_ms(jvm.p.pid)
                    j = jvm.run(cmd)
                    u1, s1, c1 = proc_cpu_ms(jvm.p.pid)
                    total = n
                    u, s = (u1 - u0) / n, (s1 - s0) / n
                    jit[k].append(round((c1 - c0) / n, 4))
                rate[k].append(j["messages_per_s"])
                user[k].append(round(u, 4))
                sys_[k].append(round(s, 4))
                bytes_per[k].append(round(os.path.getsize(mb) / total))
                verify(mb, total, home, can_cc)
                checked += total
                os.unlink(mb)
        jvm.send("quit")
    finally:
        jvm.close()
    for k in kinds:
        res[k] = {"messages_per_s": rate[k], "median_messages_per_s": round(base.median(rate[k]), 1),
                  "user_ms_per_message": user[k], "sys_ms_per_message": sys_[k],
                  "median_user_ms_per_message": round(base.median(user[k]), 4),
                  "median_sys_ms_per_message": round(base.median(sys_[k]), 4),
                  "bytes_per_message": int(base.median(bytes_per[k]))}
        if jit[k]:
            res[k]["jit_ms_per_message"] = jit[k]
            res[k]["median_jit_ms_per_message"] = round(base.median(jit[k]), 4)
    for k in kinds[1:]:
        per = [a / b for a, b in zip(rate[k], rate["floor"])]
        res["ratio_%s_to_floor_per_round" % k] = [round(x, 3) for x in per]
        res["ratio_%s_to_floor" % k] = round(base.median(per), 3)
        res["ratio_%s_to_floor_quartiles" % k] = quartiles(per)
        res["ratio_of_medians_%s_to_floor" % k] = round(res[k]["median_messages_per_s"] / res["floor"]["median_messages_per_s"], 3)
    res["ratio_single_to_floor_intent_per_round"] = [round(a / b, 3) for a, b in zip(rate["single"], rate["floor_intent"])]
    res["ratio_single_to_floor_intent"] = round(base.median(res["ratio_single_to_floor_intent_per_round"]), 3)
    res["messages_checked"] = checked
    return res


def floor_group(mb, count, n):
    procs = [base.Proc([RAW, mb, str(n), str(FLOOR_WARMUP), "go"]) for _ in range(count)]
    return procs


def run_group(jvms, jvm_mb, floors, n):
    """Starts the C floors' timed parts and the JVMs' together (floors already warm and 'ready');
    returns their JSON results."""
    for f in floors:
        f.expect("ready")
    for f in floors:
        f.send("go")
    for j, mb in zip(jvms, jvm_mb):
        j.start("single %s %d" % (mb, n))
    out = [j.result() for j in jvms]
    for f in floors:
        line = f.p.stdout.readline()
        if not line:
            raise RuntimeError("bench-deliver-raw ended without a result (exit %s)" % f.p.poll())
        out.append(json.loads(line))
        f.close()
    return out


def aggregate(results):
    t0 = min(r["t0_ns"] for r in results)
    t1 = max(r["t1_ns"] for r in results)
    total = sum(r["n"] for r in results)
    return {"messages": total, "span_ms": round((t1 - t0) / 1e6, 1), "messages_per_s": round(total * 1e9 / (t1 - t0), 1),
            "per_process_messages_per_s": [r["messages_per_s"] for r in results],
            "lock_retries": [r.get("lock_retries") for r in results if "lock_retries" in r]}


def deliver_procs(d, home, uid, gid, can_cc):
    """d: PROCS JVMs against PROCS C floors, one mailbox each group per round; then a mixed group."""
    res = {"procs": PROCS, "n_per_process": PROC_N, "rounds": PROC_ROUNDS, "floor_warmup_per_process": FLOOR_WARMUP}
    jvms = [Jvm() for _ in range(PROCS)]
    java_rate, floor_rate, checks = [], [], []
    java_runs, floor_runs = [], []
    try:
        wd = warm_dir(d)
        base.log("%d delivering processes: JVM warm-up in %s (%d single appends each, together)" % (PROCS, wd, WARMUP // 2))
        try:
            warm = [fresh(wd, "warm-%d" % i, None, None) for i in range(PROCS)]
            for j, mb in zip(jvms, warm):
                j.start("single %s %d" % (mb, WARMUP // 2))
            for j in jvms:
                j.result()
        finally:
            shutil.rmtree(wd, ignore_errors=True)
        base.log("%d delivering processes into one mailbox: %d JVMs and %d C floors, %d rounds"
                 % (PROCS, PROCS, PROCS, PROC_ROUNDS))
        for r in range(PROC_ROUNDS):
            for which in (("java", "floor") if r % 2 == 0 else ("floor", "java")):
                mb = fresh(d, "%s-procs-%d" % (which, r), uid, gid)
                if which == "java":
                    out = run_group(jvms, [mb] * PROCS, [], PROC_N)
                    agg = aggregate(out)
                    java_rate.append(agg["messages_per_s"])
                    java_runs.append(agg)
                    expected = PROCS * PROC_N
                else:
                    out = run_group([], [], floor_group(mb, PROCS, PROC_N), PROC_N)
                    agg = aggregate(out)
                    floor_rate.append(agg["messages_per_s"])
                    floor_runs.append(agg)
                    expected = PROCS * (PROC_N + FLOOR_WARMUP)
                v = verify(mb, expected, home, can_cc, counts=True)
                v.update({"round": r, "group": which})
                checks.append(v)
                os.unlink(mb)
        # both implementations at once in one mailbox: they must exclude each other
        half = max(1, PROCS // 2)
        base.log("mixed: %d JVMs and %d C floors together into one mailbox" % (half, half))
        mb = fresh(d, "mixed-procs", uid, gid)
        out = run_group(jvms[:half], [mb] * half, floor_group(mb, half, PROC_N), PROC_N)
        mixed = aggregate(out)
        v = verify(mb, half * PROC_N + half * (PROC_N + FLOOR_WARMUP), home, can_cc, counts=True)
        mixed["verify"] = v
        res["mixed"] = mixed
        os.unlink(mb)
        for j in jvms:
            j.send("quit")
    finally:
        for j in jvms:
            j.close()
    per = [a / b for a, b in zip(java_rate, floor_rate)]
    res["java"] = {"runs": java_runs, "median_messages_per_s": round(base.median(java_rate), 1)}
    res["floor"] = {"runs": floor_runs, "median_messages_per_s": round(base.median(floor_rate), 1)}
    res["ratio_java_to_floor_per_round"] = [round(x, 3) for x in per]
    res["ratio_java_to_floor"] = round(base.median(per), 3)
    res["checks"] = checks
    res["all_checks_ok"] = all(c["ok"] for c in checks) and res["mixed"]["verify"]["ok"]
    return res


# ---------------------------------------------------------------- f: migration to tenex

def thread_cpu_ms(pid):
    """{tid: (thread name, user + system CPU ms so far)} of a live process."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for t in tids:
        try:
            with open("/proc/%d/task/%s/comm" % (pid, t)) as f:
                name = f.read().strip()
            with open("/proc/%d/task/%s/stat" % (pid, t)) as f:
                w = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[t] = (name, (int(w[11]) + int(w[12])) * TICK_MS)
    return out


def watched_run(cmd, dst, **kw):
    """Runs cmd (a copy into dst) and watches it: every 10 ms the size of dst (when it appears, when it
    last changes: the end of the writes), every 100 ms the CPU time of each thread of the process (from
    /proc; a thread counts with what it had at the last look). Returns (facts, exit code, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, **kw)
        created = grown = None
        size, threads, k = -1, {}, 0
        try:
            while True:
                pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                now = time.monotonic() - t0
                if pid:
                    break
                try:
                    s = os.stat(dst).st_size
                    if created is None:
                        created = now
                    if s != size:
                        size, grown = s, now
                except FileNotFoundError:
                    pass
                if k % 10 == 0:
                    threads.update(thread_cpu_ms(p.pid))
                k += 1
                time.sleep(0.01)
        except BaseException:
            p.kill()
            p.wait()
            raise
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        groups = {}
        for name, ms in threads.values():
            g = ("jit" if re.match(r"C[12] Compiler", name) else "gc" if re.match(r"GC Thread|G1 ", name)
                 else "main" if name == "java" else "other")
            groups[g] = round(groups.get(g, 0) + ms / 1000, 2)
        facts = {"wall_s": round(now, 2), "dst_created_s": round(created, 2) if created is not None else None,
                 "dst_last_grown_s": round(grown, 2) if grown is not None else None, "dst_bytes": size,
                 "cpu_s": round(ru.ru_utime + ru.ru_stime, 2), "user_s": round(ru.ru_utime, 2),
                 "sys_s": round(ru.ru_stime, 2), "thread_cpu_s": groups, "threads_seen": len(threads),
                 "stderr": err.read().decode(errors="replace").strip()[:500]}
        return facts, p.returncode, out.read().decode(errors="replace")


# Main-thread JFR samples by what the copy was doing, from the method names in the sampled stack
# ("Class.method"; a trailing * matches any continuation): the first phase with a matching frame wins
# (the target's batches are written from inside the source's read callback, so "write" before "read").
# The recorder does not always walk a stack to its bottom, hence the callees too, and "unattributed".
JFR_PHASES = (("verify", ("org.spoollock.store.VerifiedCopy.compare", "org.spoollock.store.VerifiedCopy.lambda$compare*",
                          "org.spoollock.store.VerifiedCopy.existing",
                          "org.spoollock.store.tenex.TenexMailbox.writeMessage", "org.spoollock.store.tenex.TenexMailbox.open",
                          "org.spoollock.store.tenex.TenexIndex.parse*", "sun.security.provider.*",
                          "java.security.MessageDigest*")),
              ("write", ("org.spoollock.store.VerifiedCopy.written", "org.spoollock.store.tenex.TenexImporter.*",
                         "org.spoollock.store.tenex.TenexMailbox.append*",
                         "org.spoollock.store.tenex.TenexFormat.*", "org.spoollock.store.tenex.TenexHeader.*",
                         "org.spoollock.store.journal.AppendIntent.*", "org.spoollock.posix.SpaceReservation.*",
                         "java.util.zip.CRC32C*")),
              ("parse", ("org.spoollock.store.mbox.MboxMailbox.openReadOnly", "org.spoollock.store.mbox.MboxMailbox.index",
                         "org.spoollock.store.mbox.MboxMailbox.parseAll", "org.spoollock.store.mbox.MboxIndex.scan",
                         "org.spoollock.store.mbox.MboxParser.*")),
              ("read", ("org.spoollock.store.mbox.MboxMailbox.visit", "org.spoollock.store.mbox.MboxMailbox.verifyUnchanged",
                        "org.spoollock.store.mbox.HeaderFilter.*", "org.spoollock.store.VerifiedCopy.read")),
              ("startup", ("org.spoollock.cli.*", "picocli.*", "jnr.*", "com.kenai.*", "jdk.internal.loader.*",
                           "java.lang.ClassLoader*", "java.security.SecureClassLoader*", "java.util.zip.*",
                           "java.lang.invoke.*", "java.lang.reflect.*")))
JFR_PERIOD_MS = 10


def _jfr_match(frame, patterns):
    return any(frame.startswith(p[:-1]) if p.endswith("*") else frame == p for p in patterns)


def jfr_profile(rec):
    """Main-thread samples of a JFR recording (Java code and native calls, both every JFR_PERIOD_MS) by
    phase, and the methods most often on top."""
    jfr = os.path.join(os.environ["JAVA_HOME"], "bin", "jfr") if os.environ.get("JAVA_HOME") else shutil.which("jfr")
    if not jfr or not os.access(jfr, os.X_OK):
        return {"skipped": "no jfr tool"}
    p = subprocess.run([jfr, "print", "--json", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", rec],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        return {"skipped": "jfr print: exit %d: %s" % (p.returncode, p.stderr.strip()[:300])}
    phases = {k: {"java": 0, "native": 0} for k, _ in JFR_PHASES + (("unattributed", ()),)}
    top = {}
    for e in json.loads(p.stdout)["recording"]["events"]:
        v = e["values"]
        if (v.get("sampledThread") or {}).get("javaName") != "main":
            continue
        frames = [("%s.%s" % (f["method"]["type"]["name"], f["method"]["name"])).replace("/", ".")
                  for f in (v.get("stackTrace") or {}).get("frames", [])]
        if not frames:
            continue
        kind = "native" if e["type"] == "jdk.NativeMethodSample" else "java"
        phase = next((k for k, pats in JFR_PHASES if any(_jfr_match(f, pats) for f in frames)), "unattributed")
        phases[phase][kind] += 1
        key = "%s (%s)" % (frames[0], kind)
        top[key] = top.get(key, 0) + 1
    total = sum(x["java"] + x["native"] for x in phases.values())
    return {"period_ms": JFR_PERIOD_MS, "samples": total, "phases": phases,
            "top": dict(sorted(top.items(), key=lambda kv: -kv[1])[:10])}


def fsync_trace(cmd, out_file, **kw):
    """fsync-like calls of cmd and all its threads and children (strace, only those calls stopped on)."""
    if not shutil.which("strace"):
        return {"skipped": "strace is not installed"}
    ms, rc, out, err, _ = timed_run(["strace", "-f", "--seccomp-bpf", "-e", "trace=fsync,fdatasync,sync_file_range,syncfs",
                                     "-T", "-o", out_file] + cmd, **kw)
    if rc != 0:
        return {"skipped": "exit %d: %s" % (rc, err.strip()[:300])}
    calls, secs = 0, 0.0
    with open(out_file) as f:
        for line in f:
            if re.search(r"\b(fsync|fdatasync|sync_file_range|syncfs)\(", line):
                calls += 1
            m = re.search(r"<([0-9.]+)>\s*$", line)
            if m:
                secs += float(m.group(1))
    os.unlink(out_file)
    return {"calls": calls, "seconds": round(secs, 3), "wall_ms": round(ms, 1)}


def migrate_bench(d, home, uid, gid, can_cc):
    """f: `bin/spoollock copy --format tenex` against c-client's `mailutil copy` into #driver.tenex, the
    parse part's mbox (flags set first with `spoollock flag`), both as the test user, alternating."""
    started = time.monotonic()
    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "loadavg_before": os.getloadavg(), "rounds": MIGRATE_ROUNDS, "directory": d,
           "filesystem": base.sh_out("findmnt", "-n", "-o", "FSTYPE", "-T", d)}
    can_mu = bool(can_cc and os.access(MAILUTIL, os.X_OK))
    res["mailutil_path"] = MAILUTIL if can_mu else None
    src = os.path.join(d, "migrate-mbox")
    tiny = os.path.join(d, "migrate-tiny")
    rel = lambda p: os.path.relpath(p, home)
    env = dict(os.environ)
    env.pop("JAVA_OPTS", None)
    user_kw = as_user_kw(home) if uid is not None else {"env": env, "cwd": home}

    def user_env(**extra):
        if uid is not None:
            return base.as_user(cwd=home, **extra)
        return {"env": dict(env, **extra), "cwd": home}

    base.log("migrate: generating the %d MiB mbox of the parse part" % PARSE_MB)
    res["generated"] = generate(src, PARSE_MB, None, 0)["file"]
    user_file(tiny, uid, gid, b"From alice@example.org Sat Nov 21 10:00:00 2026\nSubject: x\n\nbody\n")
    if uid is not None:
        os.chown(src, uid, gid)
    want = res["generated"]["messages"]
    # as the parse part's first `count` does: the launcher checks the build and, as the jar's owner,
    # writes its class-data archive (the test user cannot write target/, so this run decides for all)
    ms, rc, out, err, _ = timed_run([SPOOLLOCK, "count", tiny], env=env)
    if rc != 0:
        raise RuntimeError("bin/spoollock count %s: exit %d: %s" % (tiny, rc, err.strip()[:500]))
    archives = [p for p in os.listdir(os.path.join(base.TOP, "target")) if p.startswith("cds-") and p.endswith(".jsa")]
    res["launcher_cds_archive"] = bool(archives)
    flags = [("1:%d" % max(1, want // 5), "+\\Flagged"), ("%d:%d" % (want // 10 + 1, max(want // 10 + 1, want * 4 // 10)),
                                                          "+\\Answered,\\Seen")]
    res["flag_commands"] = []
    for seq, fl in flags:
        cmd = [SPOOLLOCK, "flag", rel(src), seq, fl]
        ms, rc, out, err, _ = timed_run(cmd, **user_kw)
        if rc != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), rc, err.strip()[:500]))
        res["flag_commands"].append("spoollock flag MBOX %s %s" % (seq, fl))
    res["source"] = dict(status_flags(src), bytes=os.path.getsize(src), messages=want)
    os.sync()

    def copy_cmd(kind, s, t):
        if kind == "spoollock":
            return [SPOOLLOCK, "copy", "--no-progress", "--format", "tenex", rel(s), rel(t)]
        if kind == "floor":
            return [COPY_FLOOR, rel(s), rel(t)]
        return [MAILUTIL, "copy", rel(s), "#driver.tenex/" + rel(t)]

    def fresh_target(t):
        if os.path.lexists(t):
            os.unlink(t)

    def counts(t):
        c = {}
        ms, rc, out, err, _ = timed_run([SPOOLLOCK, "count", rel(t)], **user_kw)
        c["spoollock"] = int(out.strip().splitlines()[-1]) if rc == 0 and out.strip() else "exit %d: %s" % (rc, err.strip()[:200])
        if can_cc:
            ms, rc, out, err, _ = timed_run([CC_COUNT, rel(t)], **user_kw)
            c["cclient"] = int(out.strip().splitlines()[-1]) if rc == 0 and out.strip() else "exit %d: %s" % (rc, err.strip()[:200])
        return c

    def one(kind, s, t, n, check=True, pin=False):
        fresh_target(t)
        os.sync()  # what earlier runs left dirty is written back now, not during this run
        ms, rc, out, err, ru = timed_run((["taskset", "-c", "0"] if pin else []) + copy_cmd(kind, s, t), **user_kw)
        if rc != 0 or (kind == "spoollock" and "\nverified: " not in "\n" + out):
            raise RuntimeError("%s: exit %d: %s %s" % (" ".join(copy_cmd(kind, s, t)), rc, out.strip()[-300:], err.strip()[:500]))
        c = counts(t) if check and kind != "floor" else {}
        if check and any(v != n for v in c.values()):
            raise RuntimeError("%s copied %s, which holds %s messages, expected %d" % (kind, rel(t), c, n))
        return ms, ru, err, c

    # the floor: the same bytes read and written (4 MiB reads, one fsync), no parsing, conversion or check
    kinds = ["spoollock"] + (["mailutil"] if can_mu else []) + (["floor"] if os.access(COPY_FLOOR, os.X_OK) else [])
    tgt = {k: os.path.join(d, "migrate-%s.tenex" % k) for k in kinds}
    ttgt = {k: os.path.join(d, "migrate-tiny-%s.tenex" % k) for k in kinds}
    base.log("migrate: %s, %d MB mbox to tenex, %d rounds (+1 untimed each)"
             % (" and ".join(kinds), res["source"]["bytes"] / 1e6, MIGRATE_ROUNDS))
    for k in kinds:  # page cache warm for both (source, programs, libraries)
        one(k, src, tgt[k], want)
        one(k, tiny, ttgt[k], 1, check=False)
    wall = {k: [] for k in kinds}
    tiny_wall = {k: [] for k in kinds}
    cpu = {k: [] for k in kinds}
    rss = {k: 0 for k in kinds}
    checks, identical, stderr = [], [], {}
    for r in range(MIGRATE_ROUNDS):
        order = kinds if r % 2 == 0 else kinds[::-1]
        for k in order:
            ms, ru, err, c = one(k, src, tgt[k], want)
            wall[k].append(round(ms, 1))
            cpu[k].append(round((ru.ru_utime + ru.ru_stime) * 1000, 1))
            rss[k] = max(rss[k], ru.ru_maxrss)
            checks.append(dict(c, round=r + 1, program=k))
            if err.strip():
                stderr[k] = err.strip()[:500]
        if can_mu:
            identical.append(subprocess.run(["cmp", "-s", tgt["spoollock"], tgt["mailutil"]]).returncode == 0)
        for k in order:
            tiny_wall[k].append(round(one(k, tiny, ttgt[k], 1, check=False)[0], 1))
    res["target_bytes"] = {k: os.path.getsize(tgt[k]) for k in kinds}
    for k in kinds:
        fresh_target(tgt[k])
        fresh_target(ttgt[k])
        med = base.median(wall[k])
        res[k] = {"command": " ".join(os.path.basename(x) if i == 0 else x
                                      for i, x in enumerate(copy_cmd(k, src, tgt[k]))),
                  "wall_ms": wall[k], "median_ms": round(med, 1), "mb_per_s": round(res["source"]["bytes"] / 1e6 / (med / 1e3), 1),
                  "cpu_ms": cpu[k], "median_cpu_ms": round(base.median(cpu[k]), 1), "max_rss_kb": rss[k],
                  "tiny_wall_ms": tiny_wall[k], "tiny_median_ms": round(base.median(tiny_wall[k]), 1),
                  "stderr": stderr.get(k, "")}
    res["checks"] = checks
    res["all_counts_ok"] = all(v == want for c in checks for k, v in c.items() if k in ("spoollock", "cclient"))
    if can_mu:
        res["targets_identical"] = identical
        per = [m / s for m, s in zip(wall["mailutil"], wall["spoollock"])]
        res["ratio_mailutil_to_spoollock_per_round"] = [round(x, 3) for x in per]
        res["ratio_mailutil_to_spoollock"] = round(base.median(per), 3)
        res["ratio_of_medians_mailutil_to_spoollock"] = round(res["mailutil"]["median_ms"] / res["spoollock"]["median_ms"], 3)
    if "floor" in kinds:
        for k in [x for x in kinds if x != "floor"]:
            per = [t / f for t, f in zip(wall[k], wall["floor"])]
            res["ratio_%s_to_floor" % k] = round(base.median(per), 3)
    if can_mu and MIGRATE_ONE_CPU_ROUNDS > 0 and shutil.which("taskset"):
        base.log("migrate: spoollock and mailutil pinned to one CPU, %d rounds" % MIGRATE_ONE_CPU_ROUNDS)
        pinned = {k: [] for k in ("spoollock", "mailutil")}
        for r in range(MIGRATE_ONE_CPU_ROUNDS):
            for k in (("spoollock", "mailutil") if r % 2 == 0 else ("mailutil", "spoollock")):
                pinned[k].append(round(one(k, src, tgt[k], want, pin=True)[0], 1))
        per = [m / s for m, s in zip(pinned["mailutil"], pinned["spoollock"])]
        res["one_cpu"] = {"wall_ms": pinned, "median_ms": {k: round(base.median(v), 1) for k, v in pinned.items()},
                          "ratio_mailutil_to_spoollock_per_round": [round(x, 3) for x in per],
                          "ratio_mailutil_to_spoollock": round(base.median(per), 3)}
        for k in pinned:
            fresh_target(tgt[k])

    if MIGRATE_DIAGNOSE:
        base.log("migrate: where spoollock's time goes (one watched run, -Xlog:gc; one under JFR; fsyncs under strace)")
        diag = {}
        gclog = os.path.join(d, "migrate-gc.log")
        t = tgt["spoollock"]
        fresh_target(t)
        os.sync()
        facts, rc, out = watched_run(copy_cmd("spoollock", src, t), t, **user_env(JAVA_OPTS="-Xlog:gc:file=%s" % gclog))
        if rc != 0 or "\nverified: " not in "\n" + out:
            raise RuntimeError("watched spoollock copy: exit %d: %s %s" % (rc, out.strip()[-300:], facts["stderr"]))
        pauses = []
        with open(gclog) as f:
            for line in f:
                m = re.search(r"Pause .* ([0-9.]+)ms$", line.strip())
                if m:
                    pauses.append(float(m.group(1)))
        facts["gc_pauses"] = len(pauses)
        facts["gc_pause_ms"] = round(sum(pauses), 1)
        os.unlink(gclog)
        diag["watched"] = facts
        rec = os.path.join(d, "migrate.jfr")
        fresh_target(t)
        os.sync()
        ms, rc, out, err, _ = timed_run(copy_cmd("spoollock", src, t), **user_env(JAVA_OPTS=(
            "-XX:StartFlightRecording=filename=%s,settings=profile,jdk.ExecutionSample#period=%dms,"
            "jdk.NativeMethodSample#period=%dms -XX:FlightRecorderOptions=stackdepth=256 -Xlog:jfr+startup=warning"
            % (rec, JFR_PERIOD_MS, JFR_PERIOD_MS))))
        if rc != 0 or "\nverified: " not in "\n" + out:
            diag["jfr"] = {"skipped": "exit %d: %s" % (rc, err.strip()[:300])}
        else:
            diag["jfr"] = dict(jfr_profile(rec), wall_ms=round(ms, 1))
        if os.path.exists(rec):
            os.unlink(rec)
        diag["fsync"] = {}
        for k in kinds:
            fresh_target(tgt[k])
            os.sync()
            diag["fsync"][k] = fsync_trace(copy_cmd(k, src, tgt[k]), os.path.join(d, "migrate-strace.txt"), **user_kw)
            fresh_target(tgt[k])
        res["diagnosis"] = diag
    for p in (src, tiny):
        os.unlink(p)
    res["loadavg_after"] = os.getloadavg()
    res["bench_seconds"] = round(time.monotonic() - started, 1)
    return res


# ---------------------------------------------------------------- run

def scratch_dir():
    """A directory under the test user's home, owned by the user (c-client locks there)."""
    try:
        pw = pwd.getpwnam(base.USER)
    except KeyError:
        return None, None, None, None
    d = tempfile.mkdtemp(prefix="spoollock-mbox-bench.", dir=pw.pw_dir)
    os.chown(d, pw.pw_uid, pw.pw_gid)
    os.chmod(d, 0o755)
    return d, pw.pw_dir, pw.pw_uid, pw.pw_gid


def run(workdir, can_cclient, only_migrate=False):
    """All parts (a-f), or only the migration (f) with only_migrate."""
    started = time.monotonic()
    res = {}
    d, home, uid, gid = scratch_dir() if os.getuid() == 0 else (None, None, None, None)
    can_cc = bool(can_cclient and d and all(os.access(p, os.X_OK) for p in (CC_COUNT, CC_APPEND)))
    if not d:  # no test user (or not root): no c-client, files in the common scratch directory
        d = os.path.join(workdir, "mbox-store")
        os.mkdir(d)
        home = d
    try:
        if only_migrate:
            res["migrate"] = migrate_bench(d, home, uid, gid, can_cc)
            return res
        res["directory"] = d
        res["filesystem"] = base.sh_out("findmnt", "-n", "-o", "FSTYPE", "-T", d)
        res["cclient"] = can_cc
        res["loadavg"] = {"start": os.getloadavg()}
        res["parse"] = parse_bench(d, home, uid, gid, can_cc)
        res["loadavg"]["after_parse"] = os.getloadavg()
        res["deliver"] = deliver_single(d, home, uid, gid, can_cc)
        res["loadavg"]["after_deliver"] = os.getloadavg()
        res["procs"] = deliver_procs(d, home, uid, gid, can_cc)
        res["loadavg"]["after_procs"] = os.getloadavg()
        base.log("syscalls per spoollock delivery (strace)")
        sd = os.path.join(d, "strace")
        os.mkdir(sd)
        try:
            res["syscalls"] = base.syscalls_per_cycle(sd, "MboxDeliveryBench")
        except (OSError, subprocess.CalledProcessError) as e:
            res["syscalls"] = {"skipped": str(e)}
        res["floor_syscalls"] = FLOOR
        if can_cc:
            base.log("syscalls per c-client append (strace -c)")
            mb = fresh(d, "cc-strace", uid, gid)
            res["cclient_syscalls"] = strace_counts([CC_APPEND, os.path.relpath(mb, home), str(CC_N), "0"], CC_N,
                                                    os.path.join(d, "cc-strace.txt"), **as_user_kw(home))
            res["cclient_syscalls_mailbox"] = "fresh, %d appends: from empty to %d messages" % (CC_N, CC_N)
            os.unlink(mb)
        res["migrate"] = migrate_bench(d, home, uid, gid, can_cc)
        res["loadavg"]["after_migrate"] = os.getloadavg()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    res["bench_seconds"] = round(time.monotonic() - started, 1)
    return res


# ---------------------------------------------------------------- report

def yes(ok):
    return "**yes**" if ok else "**no**"


def fmt_rate(x):
    return "{:,.0f}/s".format(x)


PROVIDER_SEARCH_GOAL = 300   # MB/s, header terms over the 256 MB mailbox
PROVIDER_BYTES_GOAL = 64     # heap bytes per message of an open folder


def report_startup(p):
    """Issue 20 part 3: start-up per JDK (the launcher's class data: CDS on 17, the AOT cache on 25)."""
    su = p.get("startup")
    if not su:
        return []
    cc = p.get("cclient")
    L = ["### Start-up: `bin/spoollock count`, whole process, per JDK", "",
         "| JDK | one-message mbox (median) | goal | %.0f MB mbox (median) | × c-client (%s) | goal |"
         % (p["parse_file"]["bytes"] / 1e6, "%.0f ms" % cc["median_ms"] if cc else "not run"),
         "|---|---:|---|---:|---:|---|"]
    for name, r in su.items():
        ratio = r["parse_median_ms"] / cc["median_ms"] if cc else None
        goal = "≤ %d ms: %s" % (STARTUP_TINY_GOAL_MS, yes(r["tiny_median_ms"] <= STARTUP_TINY_GOAL_MS)) if name == "25" else ""
        L.append("| %s (%s) | %.0f ms | %s | %.0f ms | %s | ≤ 1.0×: %s |"
                 % (name, "AOT cache" if name == "25" else "CDS archive", r["tiny_median_ms"], goal, r["parse_median_ms"],
                    "%.2f" % ratio if ratio else "", yes(ratio <= 1.0) if ratio else "no c-client"))
    L.append("")
    L.append("Each JDK's class data was written by the first of two untimed runs, JDK 25's AOT cache waited for (the launcher does so on first use,"
             " per command and JDK); then %d timed runs on the one-message mbox and 3 on the parse mbox. The launcher"
             " runs `count`, `list`, `check`, `lock`, `locks`, `open`, `deliver`, `flag` and `expunge` with C1 only"
             " (`-XX:TieredStopAtLevel=1`: C2's compiling costs a run this short more than it gains) and, where the"
             " kernel gives them on request, transparent huge pages for the heap; `copy` and the services keep both"
             " tiers and small pages. JDK 17 keeps a dynamic CDS archive per command, JDK 25 one AOT cache recorded"
             " in the background from `cli.StartupTraining`." % STARTUP_ROUNDS)
    L.append("")
    return L


def report_provider(p):
    """Issue 18 part 3: the Jakarta Mail provider at a server's scale, from FolderScaleBench."""
    L = []
    ps, po, pm = p.get("provider_search"), p.get("provider_open"), p.get("provider_sessions")
    if not ps:
        return L
    L.append("### Jakarta Mail provider at a server's scale (`FolderScaleBench`, jakarta.mail API only)")
    L.append("")
    L.append("| what | figure | goal | met |")
    L.append("|---|---:|---|---|")
    worst = min(t["mb_per_s"] for t in ps["terms"].values())
    for name, t in ps["terms"].items():
        L.append("| `Folder.search`, %s term, %.0f MB mailbox (%s messages): %d found | %.0f ms, **%.0f MB/s** | ≥ %d MB/s | %s |"
                 % (name, ps["file_bytes"] / 1e6, "{:,}".format(ps["count"]), t["found"], t["median_ms"], t["mb_per_s"],
                    PROVIDER_SEARCH_GOAL, yes(t["mb_per_s"] >= PROVIDER_SEARCH_GOAL)))
    mm = ps["message_by_message"]
    L.append("| the subject term matched message by message (`term.match` on each `Message`, what `Folder.search` does"
             " by default) | %.0f ms, %.0f MB/s | | |" % (mm["ms"], mm["mb_per_s"]))
    if po:
        cc_in = None
        mem = p.get("memory", {})
        if "cclient" in mem and p.get("cclient"):
            cc_in = mem["cclient"]["wall_ms"] - p["cclient"]["tiny_median_ms"]
        L.append("| `folder.open(READ_ONLY)` + `getMessageCount()` of the %.2f GB mbox (%s messages), `-Xmx64m` | %.0f ms%s"
                 " | ≤ c-client's `mail_open` | %s |"
                 % (po["file_bytes"] / 1e9, "{:,}".format(po["count"]), po["open_ms"],
                    " (c-client's `mail_open`: %.0f ms)" % cc_in if cc_in is not None else "",
                    yes(po["open_ms"] <= cc_in) if cc_in is not None else "no c-client"))
        L.append("| heap of that open folder, per message | %.1f bytes | ≤ %d | %s |"
                 % (po["bytes_per_message"], PROVIDER_BYTES_GOAL, yes(po["bytes_per_message"] <= PROVIDER_BYTES_GOAL)))
    if pm:
        L.append("| %d folders in one JVM (200 mailboxes of 1,000 messages read-only; 1 read-write + 19 read-only on one"
                 " of 20,000): heap per message | %.1f bytes (%.1f MB for %s messages) | ≤ %d | %s |"
                 % (pm["folders"], pm["bytes_per_message"], pm["heap_bytes"] / 1e6, "{:,}".format(pm["messages"]),
                    PROVIDER_BYTES_GOAL, yes(pm["bytes_per_message"] <= PROVIDER_BYTES_GOAL)))
        L.append("| a second read-write open of the shared mailbox in the same JVM: the first told (DISCONNECTED) and"
                 " READ_ONLY | %s, %s; %d ms | both | %s |" % (pm["kiss_told"], pm["first_read_only"], pm["kiss_ms"],
                                                               yes(pm["kiss_told"] and pm["first_read_only"])))
    L.append("")
    L.append("Searches: terms made only of header, date, flag, size and number terms are matched against each"
             " message's raw header (`HeaderView`, read in 4 MiB pieces under one shared lock), giving exactly what"
             " matching the messages would (`SearchTest`, differential); median of 5 after 2 untimed, patterns taken"
             " from a message of the file. The open: the provider's one-time state is set up by a one-message folder"
             " first, heap measured after full collections; c-client's `mail_open` is its whole-process count of the"
             " same file minus its one-message run. A 117 MB message read through `getInputStream` with `-Xmx64m`"
             " is `LargeMessageTest` (streamed in 64 KiB pieces).")
    if pm:
        L.append("")
        L.append("Heap histogram of the 220-folder JVM (top of `jcmd GC.class_histogram`): "
                 + "; ".join("`%s`" % h for h in pm["histogram"][1:7]) + ".")
    L.append("")
    return L


def report(res, machine):
    L = []
    p = res["parse"]
    L.append("## mbox store: parse, delivery and migration" if "migrate" in res else "## mbox store: parse and delivery")
    L.append("")
    L.append("%s (`spooltest/bench/mbox.py`; this part took %.0f s); raw figures in"
             " [`benchmarks-mbox.json`](benchmarks-mbox.json). Files in `%s` on **%s**, a directory of the"
             " unprivileged user `%s` (c-client wants a mailbox name relative to its home). The machine is shared"
             " and has %d CPUs: whole figures are noisy, so medians over rounds are given, and ratios are medians"
             " of per-round ratios (each batch against the batch it is compared with in the same round)."
             % ("Run alone on %s, not in the same run as the sections above (%d CPUs, load average %s before, %s after)"
                % (res["date"], res["machine"]["nproc"], " ".join("%.2f" % x for x in res["machine"]["loadavg_before"]),
                   " ".join("%.2f" % x for x in res["machine"].get("loadavg_after", [])))
                if res.get("standalone") else "Same run and machine as above",
                res["bench_seconds"], res["directory"], res["filesystem"], base.USER, machine["nproc"]))
    L.append("")
    pf = p["parse_file"]
    L.append("### Parse a %.0f MB mbox" % (pf["bytes"] / 1e6))
    L.append("")
    L.append("| what | median wall time | × c-client | goal | met |")
    L.append("|---|---:|---:|---|---|")
    cc = p.get("cclient")
    if cc:
        L.append("| c-client: `cclient-count FILE` (`mail_open` read-only: dot-lock, flock, parse; prints nmsgs), as `%s` |"
                 " %.0f ms | 1.00 | | |" % (base.USER, cc["median_ms"]))
    r = p.get("ratio_spoollock_to_cclient")
    L.append("| spoollock: `bin/spoollock count FILE` (JVM start, dot-lock, flock, parse) | %.0f ms | %s | ≤ %.2f× | %s |"
             % (p["spoollock"]["median_ms"], "**%.2f**" % r if r is not None else "", PARSE_RATIO_GOAL,
                yes(r <= PARSE_RATIO_GOAL) if r is not None else "no c-client"))
    if cc:
        L.append("| the same two on a one-message mbox (start-up and exit): c-client / spoollock | %.1f ms / %.0f ms | | | |"
                 % (cc["tiny_median_ms"], p["spoollock"]["tiny_median_ms"]))
    ip = p["inprocess"]
    L.append("| spoollock in-process `MboxIndex.scan(file)`, JIT warm (`MboxParseBench`), on all %d cores (parts parsed in parallel) | %.0f ms (**%.2f GB/s**) | |"
             " ≥ %.0f GB/s | %s |" % (os.cpu_count(), ip["median_ns"] / 1e6, ip["gb_per_s_median"], PARSE_GBPS_GOAL,
                                      yes(ip["gb_per_s_median"] >= PARSE_GBPS_GOAL)))
    ip1 = p.get("inprocess_one_thread")
    if ip1:
        L.append("| the same on one thread (`-Dspoollock.parse.threads=1`), for reference | %.0f ms (%.2f GB/s) | | | |"
                 % (ip1["median_ns"] / 1e6, ip1["gb_per_s_median"]))
    L.append("")
    L.append("The file: %s bytes, %s messages of 2–20 KB (mean %.1f KB): headers as MTAs write them (multi-line"
             " `Received:`), %d%% with a base64 attachment, %d%% read (`Status: RO`, `X-Status:`, `X-Keywords:`);"
             " %d body lines starting `From ` that are not From_ lines (prose, `From:`, a date without time and"
             " year) and %d `>From ` lines; From_ lines in ctime form, a third with a numeric zone. Both programs"
             " counted exactly the %s messages generated, in every run. Whole-process figures: %d timed runs of"
             " each, alternating which goes first, after one untimed run of each (page cache warm; the file was"
             " written and synced before); wall time from fork to exit, read by this script. Per-round ratio"
             " spoollock / c-client, median: %.2f (ratio of the medians %.2f; per round %s)."
             % ("{:,}".format(pf["bytes"]), "{:,}".format(pf["messages"]), pf["bytes"] / pf["messages"] / 1e3,
                round(100 * pf["with_attachment"] / pf["messages"]), round(100 * pf["read_messages"] / pf["messages"]),
                pf["from_lines_in_bodies"], pf["quoted_from_lines"], "{:,}".format(pf["messages"]), PARSE_ROUNDS,
                r or 0, p.get("ratio_of_medians_spoollock_to_cclient") or 0,
                ", ".join("%.2f" % x for x in p.get("ratio_spoollock_to_cclient_per_round", []))))
    L.append("")
    if r is not None:
        sl, c = p["spoollock"], p["cclient"]
        if r <= PARSE_RATIO_GOAL:
            L.append("**Goal met**: `spoollock count` takes %.2f× c-client's time (goal ≤ %.2f×), JVM start-up"
                     " included." % (r, PARSE_RATIO_GOAL))
        else:
            L.append("**Goal missed**: `spoollock count` takes %.2f× c-client's time (goal ≤ %.2f×)." % (r, PARSE_RATIO_GOAL))
        L.append("")
        L.append("Where the time goes: a JVM start, load and exit alone costs %.0f ms (spoollock on the one-message"
                 " mbox) against c-client's %.1f ms; without them (each figure minus its one-message figure)"
                 " spoollock takes %.0f ms and c-client %.0f ms, a ratio of %.2f. CPU time (user + system, median):"
                 " spoollock %.0f ms (JIT and GC threads included, so more than its wall time can be), c-client"
                 " %.0f ms; peak RSS %.0f MB and %.0f MB (for spoollock the JVM's own footprint: heap, code, class"
                 " metadata; c-client keeps a cache entry per message). In a warm JVM the same parse takes %.0f ms"
                 " (below): in a fresh one the parser presumably runs interpreted or lightly compiled while the JIT compiles it,"
                 " which is where most of the difference between the %.0f ms and the %.0f ms goes."
                 % (sl["tiny_median_ms"], c["tiny_median_ms"], sl["median_ms"] - sl["tiny_median_ms"],
                    c["median_ms"] - c["tiny_median_ms"], p["ratio_minus_startup"] or 0, sl["median_cpu_ms"],
                    c["median_cpu_ms"], sl["max_rss_kb"] / 1024, c["max_rss_kb"] / 1024, p["inprocess"]["median_ns"] / 1e6,
                    sl["median_ms"] - sl["tiny_median_ms"], p["inprocess"]["median_ns"] / 1e6))
        L.append("")
    L.append("In-process: %d untimed scans, then %d timed, each opening the file, parsing it as c-client does"
             " (From_ lines, status headers, sizes, UIDs) and closing it; median %.2f GB/s, best %.2f GB/s, all: %s"
             " (GB = 10^9 bytes)." % (ip["warmup"], ip["n"], ip["gb_per_s_median"], ip["gb_per_s_best"],
                                      ", ".join("%.2f" % x for x in ip["gb_per_s_each"])))
    L.append("")
    L.append("A whole file of at least 32 MiB is parsed in parts on all cores (`ParallelScan`: after any blank"
             " line the parse is in a message's text, so the next From_ line c-client accepts is a boundary; each"
             " part is parsed by the same parser, and what depends on the messages before it, UIDs and numbered"
             " warnings, is replayed in file order). The result is the one-piece parse's, column for column:"
             " `ParallelScanTest`, every fuzz input (`MboxFuzzTest`), and c-client's own listing of the fuzz"
             " corpus and of the count cases parsed with a part boundary every few lines (`FuzzCorpusCClientIT`,"
             " `MboxCountIT`).")
    L.append("")
    mem = p.get("memory")
    if mem:
        bf = p["big_file"]
        s = mem["spoollock"]
        L.append("### Memory: a %.2f GB mbox with a 32 MB heap" % (bf["bytes"] / 1e9))
        L.append("")
        L.append("| what | exit | count | wall time | peak RSS |")
        L.append("|---|---:|---:|---:|---:|")
        L.append("| `JAVA_OPTS=-Xmx32m bin/spoollock count FILE` | %d | %s | %.1f s | %.0f MB |"
                 % (s["exit"], s["printed"], s["wall_ms"] / 1e3, s["max_rss_kb"] / 1024))
        if "cclient" in mem:
            c = mem["cclient"]
            L.append("| c-client `cclient-count FILE` | %d | %s | %.1f s | %.0f MB |"
                     % (c["exit"], c["printed"], c["wall_ms"] / 1e3, c["max_rss_kb"] / 1024))
        L.append("")
        L.append("The file: %s bytes, %s messages generated as above (the parse file is its first part); one run of"
                 " each, page cache warm. Goal: succeeds and prints the same count as c-client. %s"
                 % ("{:,}".format(bf["bytes"]), "{:,}".format(bf["messages"]),
                    "**Goal met**: both counted %s." % "{:,}".format(bf["messages"]) if mem["counts_agree"]
                    else "**Goal missed**: %s." % (s["stderr"] or "counts differ")))
        L.append("")

    L.extend(report_startup(p))
    L.extend(report_provider(p))

    dl = res["deliver"]
    fl = dl["floor"]["median_messages_per_s"]
    L.append("### Delivery, one process: 4 KB messages, full c-client locks, an fsync each")
    L.append("")
    L.append("| what | messages/s (median) | × C floor | goal | met | CPU per message (user + sys) |")
    L.append("|---|---:|---:|---|---|---:|")

    def cpu(k):
        return "%.3f + %.3f ms" % (dl[k]["median_user_ms_per_message"], dl[k]["median_sys_ms_per_message"])
    L.append("| raw C floor (`spooltest/c/bench-deliver-raw.c`: hitching-post dot-lock, open O_WRONLY\\|O_APPEND,"
             " flock LOCK_EX, write 4096 bytes, fsync, futimens; LOCK_UN, close, lstat + unlink the lock) | %s |"
             " 1.00 | | | %s |" % (fmt_rate(fl), cpu("floor")))
    L.append("| the floor with spoollock's append-intent file added (`bench-deliver-raw -i`: before the write, create"
             " `.NAME.spoollock-append`, write a header line and the 4 KB message into it, fdatasync, close; after"
             " futimens, unlink it), for information | %s | %.2f | | | %s |"
             % (fmt_rate(dl["floor_intent"]["median_messages_per_s"]), dl["ratio_floor_intent_to_floor"], cpu("floor_intent")))
    if dl.get("floor_note_in_place"):
        L.append("| the floor with the cheapest durable note we know of (`bench-deliver-raw -p`: one note file kept from"
                 " one delivery to the next; before the write, only the header a cut-back needs (offset, length, CRC)"
                 " written over it in place and fdatasynced; after futimens, overwritten unsynced; nothing created or"
                 " removed per delivery), for information: the bound on any design that keeps a power cut from leaving"
                 " part of an append | %s | %.2f | | | %s |"
                 % (fmt_rate(dl["floor_note_in_place"]["median_messages_per_s"]), dl["ratio_floor_note_in_place_to_floor"],
                    cpu("floor_note_in_place")))
    rs = dl["ratio_single_to_floor"]
    L.append("| spoollock `MboxAppender.append(mbox, [one message], defaults, 30 s)`, message formatted with"
             " `MboxEncoding.format` in the loop, JIT warm | %s | **%.2f** | ≥ %.1f× | %s | %s |"
             % (fmt_rate(dl["single"]["median_messages_per_s"]), rs, SINGLE_GOAL, yes(rs >= SINGLE_GOAL), cpu("single")))
    if "jakarta" in dl:
        rj = dl["ratio_jakarta_to_floor"]
        fr = dl.get("jakarta_fresh_jvm_first_300_messages_per_s")
        L.append("| Jakarta Mail provider: a new `MimeMessage` parsed from the text and one `Folder.appendMessages` per"
                 " message, folder closed (issue 18's measure), JIT warm | %s | **%.2f** | ≥ 0.8× | %s | %s |"
                 % (fmt_rate(dl["jakarta"]["median_messages_per_s"]), rj, yes(rj >= 0.8), cpu("jakarta")))
        if fr:
            rf = fr / dl["floor"]["median_messages_per_s"]
            L.append("| the same, a fresh JVM's first 300 messages (class loading, JIT) | %s | **%.2f** | ≥ 0.5× | %s | |"
                     % (fmt_rate(fr), rf, yes(rf >= 0.5)))
    if "cclient" in dl:
        rc = dl["ratio_cclient_to_floor"]
        L.append("| c-client `mail_append()` of one message per call (`spooltest/c/bench-cclient-append.c`, as `%s`),"
                 " into a mailbox growing from empty to %d messages | %s | **%.3f** | expected about %.2f× (not a goal) | %s | %s |"
                 % (base.USER, CC_WARMUP + dl["n"]["cclient"], fmt_rate(dl["cclient"]["median_messages_per_s"]), rc,
                    CCLIENT_EXPECTED, "lower than expected" if rc < CCLIENT_EXPECTED * 0.7 else
                    ("about as expected" if rc <= CCLIENT_EXPECTED * 1.4 else "higher than expected"), cpu("cclient")))
    rb, rq = dl["ratio_batch_to_floor"], dl["ratio_queue_to_floor"]
    L.append("| spoollock `MboxAppender.append` of %d messages per call (one lock, one write, one fsync) | %s |"
             " **%.1f** | ≥ %.0f× | %s | %s |" % (BATCH, fmt_rate(dl["batch"]["median_messages_per_s"]), rb, BATCH_GOAL,
                                                 yes(rb >= BATCH_GOAL), cpu("batch")))
    L.append("| spoollock `DeliveryQueue.deliver` from %d threads of one JVM (group commit) | %s | **%.1f** | ≥ %.0f× |"
             " %s | %s |" % (THREADS, fmt_rate(dl["queue"]["median_messages_per_s"]), rq, BATCH_GOAL, yes(rq >= BATCH_GOAL),
                             cpu("queue")))
    L.append("")
    bs = lambda k: "%s–%s" % ("{:,.0f}".format(min(dl[k]["messages_per_s"])), "{:,.0f}".format(max(dl[k]["messages_per_s"])))
    qs = lambda k: "–".join("%.2f" % x for x in dl["ratio_%s_to_floor_quartiles" % k][::2])
    L.append("Method: %d rounds; in each, one batch of every kind, the order turning each round: the C floor and the"
             " floor with the intent file (each a fresh process, %d untimed deliveries first, then %d), spoollock single"
             " (%d messages), batch (%d messages in appends of %d), queue (%d messages from %d threads)%s, the spoollock"
             " kinds all in one JVM, warmed up first with %d untimed single appends, as many messages in batches and"
             " half as many through the queue, in %s (fsync costs nothing on tmpfs, so the JIT compiles the same code"
             " in seconds instead of minutes). Every batch gets a fresh empty mailbox; after"
             " it, a scan of its `Message-ID:` lines checks that it holds exactly the messages sent, each once (%s"
             " messages checked). Messages are 4096 bytes as written (From_ line, status headers, headers, text,"
             " separating newline; c-client's own come to %d). Rates are messages per second of the timed part,"
             " measured by each program; CPU per message from the kernel's accounting (the C programs' include their"
             " untimed deliveries; the JVM's, all its threads during the batch). Spread of the batches: floor %s,"
             " with intent file %s, single %s, batch %s, queue %s%s; middle half of the per-round ratios: with intent file"
             " %s, single %s, batch %s, queue %s%s."
             % (ROUNDS, FLOOR_WARMUP, dl["n"]["floor"], dl["n"]["single"], dl["n"]["batch"], BATCH, dl["n"]["queue"], THREADS,
                (", c-client (a fresh process as `%s`, %d untimed appends, then %d)" % (base.USER, CC_WARMUP, dl["n"]["cclient"]))
                if "cclient" in dl else "", WARMUP, "`%s`" % dl["warmup_directory"], "{:,}".format(dl["messages_checked"]),
                dl["cclient"]["bytes_per_message"] if "cclient" in dl else 0,
                bs("floor"), bs("floor_intent"), bs("single"), bs("batch"), bs("queue"),
                (", c-client %s" % bs("cclient")) if "cclient" in dl else "",
                qs("floor_intent"), qs("single"), qs("batch"), qs("queue"), (", c-client %s" % qs("cclient")) if "cclient" in dl else ""))
    L.append("")
    L.extend(explain_delivery(res))
    L.append("")

    pr = res["procs"]
    rp = pr["ratio_java_to_floor"]
    L.append("### %d delivering processes into one mailbox" % pr["procs"])
    L.append("")
    L.append("| what | aggregate messages/s (median) | × %d C floors | goal | met |" % pr["procs"])
    L.append("|---|---:|---:|---|---|")
    L.append("| %d C floor processes (`bench-deliver-raw`; on a taken dot-lock: remove the hitching post, sleep 100 µs,"
             " try again) | %s | 1.00 | | |" % (pr["procs"], fmt_rate(pr["floor"]["median_messages_per_s"])))
    L.append("| %d JVMs, each `MboxAppender.append` of one message per call (spoollock's dot-lock back-off: 0.5 ms"
             " doubling to 8 ms, jittered) | %s | **%.2f** | ≥ %.1f× | %s |"
             % (pr["procs"], fmt_rate(pr["java"]["median_messages_per_s"]), rp, PROCS_GOAL, yes(rp >= PROCS_GOAL)))
    L.append("")
    cks = pr["checks"]
    L.append("Each round: one mailbox for the %d JVMs (warmed up together before the first round, %d untimed appends"
             " each, on tmpfs as above), one for"
             " the %d C floors (%d untimed deliveries each, into the same mailbox, then all start their %d timed"
             " ones together); %d rounds, the order turning; per round ratio JVMs / floors, median %.2f (per round:"
             " %s). Aggregate rate: all messages of the timed parts over the time from the first process's start to"
             " the last one's end (CLOCK_MONOTONIC, which the JVMs' `System.nanoTime()` and the C programs share)."
             % (pr["procs"], WARMUP // 2, pr["procs"], FLOOR_WARMUP, pr["n_per_process"], pr["rounds"], rp,
                ", ".join("%.2f" % x for x in pr["ratio_java_to_floor_per_round"])))
    L.append("")
    L.append("Nothing lost, nothing duplicated: after every run the mailbox was checked three ways — its `Message-ID:`"
             " lines (each message carries a unique one), `bin/spoollock count` and c-client's `cclient-count`:")
    L.append("")
    L.append("| round | processes | expected | Message-IDs (distinct) | spoollock count | c-client count | ok |")
    L.append("|---:|---|---:|---:|---:|---:|---|")
    for c in cks:
        L.append("| %d | %d × %s | %d | %d (%d) | %s | %s | %s |"
                 % (c["round"] + 1, pr["procs"], "JVM" if c["group"] == "java" else "C floor", c["expected"],
                    c["message_ids"], c["distinct_message_ids"], c["spoollock_count"], c.get("cclient_count", "–"),
                    yes(c["ok"])))
    mx = pr["mixed"]
    v = mx["verify"]
    half = max(1, pr["procs"] // 2)
    L.append("| mixed | %d × JVM + %d × C floor, together | %d | %d (%d) | %s | %s | %s |"
             % (half, half, v["expected"], v["message_ids"], v["distinct_message_ids"], v["spoollock_count"],
                v.get("cclient_count", "–"), yes(v["ok"])))
    L.append("")
    L.append("The mixed run puts spoollock and the C floor (c-client's protocol: dot-lock, then flock) in one mailbox"
             " at once (%s messages/s together): each excludes the other, so no message is torn or lost."
             % "{:,.0f}".format(mx["messages_per_s"]))
    L.append("")
    if rp < PROCS_GOAL:
        L.append("**Goal missed**: %d JVMs deliver %.2f× what %d C floor processes do (goal ≥ %.1f×). With %d"
                 " processes on %d CPUs, each delivery costs what it costs alone (above: spoollock's single-message"
                 " rate is %.2f× the floor's) plus the wait for the dot-lock; the floor retries every 100 µs, spoollock"
                 " backs off up to 8 ms, so the lock may stand free while a waiter sleeps (C floor lock retries per"
                 " process and round: %s)."
                 % (pr["procs"], rp, pr["procs"], PROCS_GOAL, pr["procs"], machine["nproc"], rs,
                    ", ".join(str(x) for run in pr["floor"]["runs"] for x in run["lock_retries"])))
    else:
        L.append("**Goal met**: %d JVMs deliver %.2f× what %d C floor processes do (goal ≥ %.1f×)."
                 % (pr["procs"], rp, pr["procs"], PROCS_GOAL))
    L.append("")
    if "migrate" in res:
        L.extend(report_migrate(res, machine))
    return L


def fmt_s(ms):
    return "%.1f s" % (ms / 1e3) if ms >= 1000 else "%.0f ms" % ms


def report_migrate(res, machine):
    """The migration subsection (f), from res["migrate"]."""
    m = res["migrate"]
    src = m["source"]
    sl, mu = m["spoollock"], m.get("mailutil")
    L = ["### Migrate a %.0f MB mbox to tenex: `spoollock copy` against c-client's `mailutil copy`" % (src["bytes"] / 1e6), ""]
    la = lambda xs: " ".join("%.2f" % x for x in xs)
    if m.get("alone"):
        L.append("Run alone on %s with `SPOOLLOCK_BENCH_MIGRATE_ONLY=1` (this subsection only; the figures above are"
                 " those of the run of %s): %d CPUs, load average %s before, %s after; it took %.0f s."
                 % (m["date"], res["date"], m["machine"]["nproc"], la(m["loadavg_before"]), la(m["loadavg_after"]),
                    m["bench_seconds"]))
    else:
        L.append("Same run as above (started %s), load average %s before, %s after; this part took %.0f s."
                 % (m["date"], la(m["loadavg_before"]), la(m["loadavg_after"]), m["bench_seconds"]))
    L.append("")
    L.append("| what | median wall time | MB/s | mailutil ÷ this | goal | met |")
    L.append("|---|---:|---:|---:|---|---|")
    r = m.get("ratio_mailutil_to_spoollock")
    if mu:
        L.append("| c-client: `mailutil copy MBOX '#driver.tenex/TARGET'` (opens the mbox, creates the tenex file, appends"
                 " every message with its flags and date) | %s | %.0f | 1.00 | | |" % (fmt_s(mu["median_ms"]), mu["mb_per_s"]))
    L.append("| spoollock: `bin/spoollock copy --no-progress --format tenex MBOX TARGET` (JVM start, copy, a full"
             " verification pass) | %s | %.0f | %s | ≥ %.2f× | %s |"
             % (fmt_s(sl["median_ms"]), sl["mb_per_s"], "**%.2f**" % r if r is not None else "", MIGRATE_GOAL,
                yes(r >= MIGRATE_GOAL) if r is not None else "no mailutil"))
    fl = m.get("floor")
    if fl:
        L.append("| raw floor: `spooltest/c/bench-copy-raw.c` (read the mbox in 4 MiB reads, write the bytes to a new"
                 " file, one fsync: no parsing, conversion or verification) | %s | %.0f | | | |"
                 % (fmt_s(fl["median_ms"]), fl["mb_per_s"]))
    if mu:
        L.append("| the same two on a one-message mbox (start-up and exit): mailutil / spoollock | %s / %s | | | | |"
                 % (fmt_s(mu["tiny_median_ms"]), fmt_s(sl["tiny_median_ms"])))
    if fl and m.get("ratio_spoollock_to_floor") is not None:
        L.append("")
        L.append("Against the raw floor (median of per-round ratios, time ÷ floor's time): spoollock %.2f×%s."
                 % (m["ratio_spoollock_to_floor"], ", mailutil %.2f×" % m["ratio_mailutil_to_floor"]
                    if m.get("ratio_mailutil_to_floor") is not None else ""))
    L.append("")
    chk = m["checks"]
    L.append("The mbox: the parse part's (same generator and seed: %s messages), then, as `%s`, %s (each rewrites"
             " the mbox as c-client's checkpoint does, with c-client's status headers and UIDs in every message):"
             " %s bytes, %s messages, %s seen, %s answered, %s flagged. Both programs run as `%s`, in its home, with"
             " mailbox names relative to it (this script switches to the user itself, as `cd ~%s && runuser -u %s"
             " -- env HOME=~%s …` would); MB/s is the mbox's size (10^6 bytes) over the median wall time. %d timed runs"
             " of each, alternating which goes first, after one untimed run of each (page cache warm: the mbox is"
             " read from memory); before every run its target is removed and `sync` is run, so that no run pays for"
             " writing back what an earlier one left dirty. Wall time from fork to exit, read by this script. After"
             " every run `bin/spoollock count` and c-client's `cclient-count` (as `%s`) both counted the target: %s."
             % ("{:,}".format(m["generated"]["messages"]), base.USER,
                " and ".join("`%s`" % c for c in m["flag_commands"]), "{:,}".format(src["bytes"]),
                "{:,}".format(src["messages"]), "{:,}".format(src["seen"]), "{:,}".format(src["answered"]),
                "{:,}".format(src["flagged"]), base.USER, base.USER, base.USER, base.USER, m["rounds"], base.USER,
                ("%s messages every time, in all %d targets" % ("{:,}".format(src["messages"]), len(chk)))
                if m["all_counts_ok"] else "**not always the right number**: %s" % chk))
    if mu:
        same = sum(m["targets_identical"])
        L.append("")
        L.append("The two programs' tenex files were byte-for-byte identical in %d of %d rounds (%s bytes). Per-round"
                 " ratio mailutil / spoollock, median %.2f (ratio of the medians %.2f; per round %s). CPU time (user +"
                 " system, median): spoollock %s, mailutil %s; peak RSS %.0f MB and %.0f MB."
                 % (same, len(m["targets_identical"]), "{:,}".format(m["target_bytes"]["mailutil"]), r,
                    m["ratio_of_medians_mailutil_to_spoollock"],
                    ", ".join("%.2f" % x for x in m["ratio_mailutil_to_spoollock_per_round"]),
                    fmt_s(sl["median_cpu_ms"]), fmt_s(mu["median_cpu_ms"]), sl["max_rss_kb"] / 1024, mu["max_rss_kb"] / 1024))
    L.append("")
    L.append("What spoollock's figure includes (`VerifiedCopy.run` in `src/main/java/org/spoollock/store/VerifiedCopy.java`): the JVM's"
             " start and exit (the launcher %s a class-data archive); opening the mbox read-only under its shared locks"
             " and parsing it; reading the messages front to back in 4 MiB reads, fingerprinting each (length,"
             " CRC-32C and CRC-32, CRs dropped) and encoding it straight into a batch (500 messages or 16 MB), each"
             " batch appended to the tenex file under its locks (flock, exclusive session lock) with an append-intent"
             " file written beside it; one fsync of the target at the end; then the verification pass, which the"
             " `verified: …` line reports: the target opened and parsed afresh, every message read back and"
             " fingerprinted, and count, contents, flags, keywords and dates compared with the source's. `mailutil"
             " copy` has no verification pass and no fsync at all (strace: none), so its copy is not yet on disk when"
             " it exits."
             % ("with" if m.get("launcher_cds_archive") else "without"))
    L.append("")
    oc = m.get("one_cpu")
    if oc:
        L.append("Pinned to one CPU (`taskset -c 0`, %d rounds each after the others, alternating; the JVM then runs its"
                 " compiler and GC threads on the copy's CPU, as on a busy server): spoollock %s, mailutil %s, ratio"
                 " mailutil / spoollock %.2f (per round %s)."
                 % (len(oc["wall_ms"]["spoollock"]), fmt_s(oc["median_ms"]["spoollock"]), fmt_s(oc["median_ms"]["mailutil"]),
                    oc["ratio_mailutil_to_spoollock"], ", ".join("%.2f" % x for x in oc["ratio_mailutil_to_spoollock_per_round"])))
        L.append("")
    if r is not None:
        if r >= MIGRATE_GOAL:
            L.append("**Goal met**: `mailutil copy` takes %.2f× spoollock's time (goal ≥ %.2f×), spoollock's"
                     " verification pass and JVM start included." % (r, MIGRATE_GOAL))
        else:
            L.append("**Goal missed**: `mailutil copy` takes %.2f× spoollock's time (goal ≥ %.2f×: spoollock twice as"
                     " fast); spoollock is %.2f× slower." % (r, MIGRATE_GOAL, 1 / r if r else 0))
        L.append("")
    dg = m.get("diagnosis")
    if dg:
        L.extend(explain_migrate(m, dg, m.get("machine", machine)["nproc"]))
        L.append("")
    return L


def explain_migrate(m, dg, nproc):
    """Where spoollock's time goes, from the untimed diagnostic runs."""
    sl, mu = m["spoollock"], m.get("mailutil")
    w = dg["watched"]
    tc = w["thread_cpu_s"]
    items = []
    copy_end = w["dst_last_grown_s"] or 0
    items.append("phases (one run watched by this script, %.1f s: every 10 ms the target's size): the target appeared"
                 " after %.1f s (JVM start, which alone costs %s, the one-message figure above; the mbox opened and"
                 " parsed twice; the first batch read); the writes ended at %.1f s (copying: %.1f s); the process ended"
                 " at %.1f s, so %.1f s went to the last fsync and the verification pass, %.0f%% of the run"
                 % (w["wall_s"], w["dst_created_s"] or 0, fmt_s(sl["tiny_median_ms"]), copy_end,
                    copy_end - (w["dst_created_s"] or 0), w["wall_s"], w["wall_s"] - copy_end,
                    100 * (w["wall_s"] - copy_end) / w["wall_s"] if w["wall_s"] else 0))
    items.append("CPU (the same run): %.1f s in all (%.1f user, %.1f system) on %d CPUs: main thread %.1f s, JIT"
                 " compiler threads %.1f s, GC threads %.1f s (%d collections, %.0f ms of pauses, `-Xlog:gc`), other"
                 " threads %.1f s (from /proc every 100 ms, so slightly less than the total)"
                 % (w["cpu_s"], w["user_s"], w["sys_s"], nproc,
                    tc.get("main", 0), tc.get("jit", 0), tc.get("gc", 0), w["gc_pauses"], w["gc_pause_ms"], tc.get("other", 0)))
    jf = dg.get("jfr", {})
    if "skipped" not in jf and jf.get("samples"):
        n = jf["samples"]
        ph = jf["phases"]
        pct_ = lambda k: 100.0 * (ph[k]["java"] + ph[k]["native"]) / n
        short = lambda x: x.replace("org.spoollock.store.", "").replace("org.spoollock.", "")
        items.append("JFR (another run, %s under the recorder): %d samples of the main thread, one every %d ms when it"
                     " runs Java code or a native call (system calls), by the methods on its stack: parsing the mbox"
                     " %.0f%%, reading its messages %.0f%%, writing the target %.0f%%, verifying %.0f%%, start-up and"
                     " command line (class loading, jffi, picocli) %.0f%%, unattributed (stack not walked far enough)"
                     " %.0f%%; most often on top: %s"
                     % (fmt_s(jf["wall_ms"]), n, jf["period_ms"], pct_("parse"), pct_("read"), pct_("write"),
                        pct_("verify"), pct_("startup"), pct_("unattributed"),
                        ", ".join("`%s` %d" % (short(k), v) for k, v in list(jf["top"].items())[:6])))
    fs = dg.get("fsync", {})
    if fs and all("skipped" not in v for v in fs.values()):
        items.append("fsync (strace, a run of each): spoollock %d calls, %.2f s in all; %s"
                     % (fs["spoollock"]["calls"], fs["spoollock"]["seconds"],
                        ("mailutil %d calls, %.2f s" % (fs["mailutil"]["calls"], fs["mailutil"]["seconds"])) if "mailutil" in fs
                        else "no mailutil"))
    out = ["Where spoollock's time goes (untimed runs with the same command, one each):", ""]
    out.extend("- " + i for i in items)
    if mu and w["wall_s"]:
        est = sl["median_ms"] / 1e3 * copy_end / w["wall_s"]
        out.append("")
        out.append("Without its verification pass, scaling the median by the watched run's share before it, spoollock"
                   " would take about %.1f s against mailutil's %.1f s, a ratio of about %.2f (an estimate, not a"
                   " measurement: the pass cannot be turned off from the command line)."
                   % (est, mu["median_ms"] / 1e3, mu["median_ms"] / 1e3 / est if est else 0))
    return out


def explain_delivery(res):
    dl = res["deliver"]
    out = []
    rs = dl["ratio_single_to_floor"]
    fl, sg = dl["floor"], dl["single"]
    if rs >= SINGLE_GOAL:
        out.append("**Goal met** for single messages: %.2f× the C floor (goal ≥ %.1f×). As measured:" % (rs, SINGLE_GOAL))
    else:
        out.append("**Goal missed** for single messages: spoollock delivers %.2f× the C floor's rate (goal ≥ %.1f×)."
                   " Where the time goes, as measured:" % (rs, SINGLE_GOAL))
    out.append("")
    wall_f, wall_s = 1000.0 / fl["median_messages_per_s"], 1000.0 / sg["median_messages_per_s"]
    cpu_f = fl["median_user_ms_per_message"] + fl["median_sys_ms_per_message"]
    cpu_s = sg["median_user_ms_per_message"] + sg["median_sys_ms_per_message"]
    items = []
    jit_s = sg.get("median_jit_ms_per_message", 0)
    items.append("time: at its median rate a floor delivery takes %.2f ms, of which %.3f ms on a CPU (%.3f user, %.3f"
                 " system): the rest, about %.2f ms, is waiting, mostly for the disk in fsync. At its median rate a spoollock"
                 " delivery takes %.2f ms, and the JVM spends %.3f ms of CPU per message (%.3f user, %.3f system, all"
                 " threads; %s), %.1f× the floor's CPU. %s"
                 % (wall_f, cpu_f, fl["median_user_ms_per_message"], fl["median_sys_ms_per_message"], max(0, wall_f - cpu_f),
                    wall_s, cpu_s, sg["median_user_ms_per_message"], sg["median_sys_ms_per_message"],
                    "%.3f ms of it in the JIT compiler threads" % jit_s if jit_s >= 0.005
                    else "the JIT compiler threads idle after the warm-up",
                    cpu_s / cpu_f if cpu_f else 0,
                    "The fsync wait dominates both, and it is what varies: the floor's batches ranged from %s to %s"
                    " messages/s and spoollock's from %s to %s, so a round's ratio depends as much on what the disk"
                    " was doing as on the code" % ("{:,.0f}".format(min(fl["messages_per_s"])), "{:,.0f}".format(max(fl["messages_per_s"])),
                                                   "{:,.0f}".format(min(sg["messages_per_s"])), "{:,.0f}".format(max(sg["messages_per_s"])))))
    sc = res.get("syscalls")
    if sc and "skipped" not in sc:
        main = sc["cycling_thread"]
        nfloor = sum(FLOOR.values())
        extra = {k: round(v - FLOOR.get(k, 0), 2) for k, v in main.items() if v - FLOOR.get(k, 0) >= 0.5}
        opened = sc.get("opened_per_cycle", {})
        items.append("syscalls (strace, %d deliveries): %.1f per delivery on the delivering thread against the floor's"
                     " %d (%s); beyond the floor's: %s. Files opened per delivery: %s"
                     % (sc["cycles"], sc["cycling_thread_total"], nfloor, ", ".join("%s ×%g" % kv for kv in main.items()),
                        ", ".join("%s +%g" % kv for kv in sorted(extra.items(), key=lambda kv: -kv[1])) or "none",
                        ", ".join("`%s` ×%g" % kv for kv in opened.items())))
        if any("spoollock-append" in p for p in opened):
            items.append("the append-intent file (`.NAME.spoollock-append`, `AppendIntent`): before each append spoollock"
                         " creates it beside the mailbox, writes the whole message into it and fdatasyncs it (a power cut"
                         " must not keep part of an append without it: docs/powerloss.md), and removes it after the fsync; so the mailbox's fsync commits a journal transaction that also"
                         " holds a file created and deleted, and every message is written twice to the page cache")
        others = [t for t in sc.get("other_threads", []) if t["thread"].startswith("spoollock")]
        for t in others:
            items.append("thread `%s`: %g calls per delivery (%s)" % (t["thread"], t["calls_per_cycle"],
                                                                       ", ".join("%s ×%g" % kv for kv in t["by_syscall"].items())))
    if dl.get("floor_intent"):
        items.append("the split, from the rounds (medians of per-round rate ratios): the floor with spoollock's"
                     " append-intent file added reaches %.2f× the floor; spoollock reaches %.2f× that floor with the"
                     " intent file, which leaves the rest of spoollock's work (the JVM and its native calls, the other"
                     " extra syscalls listed above, formatting the message); on this shared machine the per-round"
                     " ratios spread widely (middle half %s for the floor with the intent file), so take the split as"
                     " a rough one"
                     % (dl["ratio_floor_intent_to_floor"], dl["ratio_single_to_floor_intent"],
                        "–".join("%.2f" % x for x in dl["ratio_floor_intent_to_floor_quartiles"][::2])))
    out.extend("- " + i for i in items)
    if "cclient" in dl:
        cs = res.get("cclient_syscalls", {})
        out.append("")
        out.append("c-client's `mail_append()` reaches %.3f× the floor's rate (about %.2f× was expected), and"
                   " its cost grows with the mailbox: under strace (%s), one append makes %s fsync, %s ftruncate, %s"
                   " openat, %s read, %s lseek and %s write calls on average. The append itself (dot-lock, open O_APPEND,"
                   " flock, write, fsync) is the floor's; around it, strace of one call shows c-client probing the name"
                   " with a dozen read-only opens, parsing the whole mailbox read-only, then opening it as a read-write"
                   " stream (session lock `/tmp/.DEV.INO` created, truncated and fsynced) and parsing it again, and,"
                   " after the append, closing that stream with a checkpoint that rewrites the mailbox in place"
                   " (pre-extend, fsync, rewrite, truncate, fsync) to give the new message its `X-UID:` and update"
                   " `X-IMAPbase:` in the first message. Four fsyncs and two whole-mailbox parses per message, so the cost"
                   " grows with the mailbox. spoollock appends without reading the mailbox beyond its first 8 KB and"
                   " last byte."
                   % (dl["ratio_cclient_to_floor"], CCLIENT_EXPECTED, res.get("cclient_syscalls_mailbox", ""),
                      cs.get("fsync", "?"), cs.get("ftruncate", "?"), cs.get("openat", "?"), cs.get("read", "?"),
                      cs.get("lseek", "?"), cs.get("write", "?")))
    rb, rq = dl["ratio_batch_to_floor"], dl["ratio_queue_to_floor"]
    out.append("")
    for k, r, what in (("batch", rb, "a batch of %d messages per append" % BATCH),
                       ("queue", rq, "`DeliveryQueue` with %d threads" % THREADS)):
        ms = 1000.0 / dl[k]["median_messages_per_s"]
        if r >= BATCH_GOAL:
            out.append("**Goal met** for %s: %.1f× the single-message C floor (goal ≥ %.0f×)." % (what, r, BATCH_GOAL))
        else:
            out.append("**Goal missed** for %s: %.1f× the single-message C floor (goal ≥ %.0f×); %.3f ms per message,"
                       " of which %.3f ms user and %.3f ms system CPU." % (what, r, BATCH_GOAL, ms,
                                                                           dl[k]["median_user_ms_per_message"],
                                                                           dl[k]["median_sys_ms_per_message"]))
    if rq < BATCH_GOAL:
        out.append("")
        out.append("A group commit can only gather the messages that are waiting while the previous write and fsync"
                   " run: with %d threads each delivering one message at a time, a group has at most %d messages"
                   " (the leader's own next message comes only after it has finished leading), so with one fsync per"
                   " group its ceiling is about %d× the rate of single appends, and each group still pays for a lock"
                   " cycle and the append-intent file." % (THREADS, THREADS - 1, THREADS - 1))
    return out


def summary_line(res):
    p, dl, pr = res["parse"], res["deliver"], res["procs"]
    parts = ["mbox: count %.0f MB %.2fx c-client (goal <= %.1f)" % (p["parse_file"]["bytes"] / 1e6, p.get("ratio_spoollock_to_cclient") or 0,
                                                                     PARSE_RATIO_GOAL),
             "scan %.2f GB/s (goal >= %.0f)" % (p["inprocess"]["gb_per_s_median"], PARSE_GBPS_GOAL)]
    if p.get("memory"):
        parts.append("-Xmx32m 1GB %s" % ("ok" if p["memory"]["counts_agree"] else "FAILED"))
    parts.append("deliver %.2fx floor (goal >= %.1f)" % (dl["ratio_single_to_floor"], SINGLE_GOAL))
    if "cclient" in dl:
        parts.append("c-client %.3fx floor" % dl["ratio_cclient_to_floor"])
    parts.append("batch %.1fx, queue %.1fx (goal >= %.0f)" % (dl["ratio_batch_to_floor"], dl["ratio_queue_to_floor"], BATCH_GOAL))
    parts.append("%d procs %.2fx (goal >= %.1f), mailboxes %s" % (pr["procs"], pr["ratio_java_to_floor"], PROCS_GOAL,
                                                                 "exact" if pr["all_checks_ok"] else "WRONG"))
    mg = res.get("migrate")
    if mg:
        parts.append("migrate %.0f MB to tenex: spoollock %.1f s, mailutil %s, ratio %s (goal >= %.1f), counts %s"
                     % (mg["source"]["bytes"] / 1e6, mg["spoollock"]["median_ms"] / 1e3,
                        "%.1f s" % (mg["mailutil"]["median_ms"] / 1e3) if mg.get("mailutil") else "-",
                        "%.2f" % mg["ratio_mailutil_to_spoollock"] if "ratio_mailutil_to_spoollock" in mg else "-",
                        MIGRATE_GOAL, "ok" if mg["all_counts_ok"] else "WRONG"))
    return "; ".join(parts)


# ---------------------------------------------------------------- correctness

def correctness_failures(res):
    """What this run measured wrong, as sentences: a count that is not the number of messages, or tenex
    targets of spoollock and mailutil that differ. These fail the run (dotlock.py and mbox.py exit 1 after
    writing the report, which shows them); a missed speed goal is only reported. Parts not in res (not run)
    are not judged."""
    out = []
    mem = (res.get("parse") or {}).get("memory")
    if mem and not mem["counts_agree"]:
        out.append("memory: -Xmx32m count of the %d-message file: spoollock %s (exit %d), c-client %s"
                   % (mem["expected"], mem["spoollock"]["printed"] or "nothing", mem["spoollock"]["exit"],
                      ("%s (exit %d)" % (mem["cclient"]["printed"] or "nothing", mem["cclient"]["exit"]))
                      if "cclient" in mem else "not run"))
    pr = res.get("procs")
    if pr and not pr["all_checks_ok"]:
        out.append("concurrent delivery: mailboxes not holding exactly the messages sent: %s"
                   % [c for c in pr["checks"] + [pr["mixed"]["verify"]] if not c["ok"]])
    mg = res.get("migrate")
    if mg:
        if not mg["all_counts_ok"]:
            out.append("migrate: targets not counted as the source's %d messages: %s"
                       % (mg["source"]["messages"], mg["checks"]))
        diff = [i + 1 for i, same in enumerate(mg.get("targets_identical", [])) if not same]
        if diff:
            out.append("migrate: spoollock's and mailutil's tenex files differ in round(s) %s of %d"
                       % (", ".join(map(str, diff)), len(mg["targets_identical"])))
    return out


def fail_if_wrong(res):
    """Exit status for a run whose report has been written: 1 (and why on stderr) on any correctness failure."""
    failures = correctness_failures(res)
    for f in failures:
        base.log("WRONG: " + f)
    return 1 if failures else 0


# ---------------------------------------------------------------- alone

def main(report_only):
    """This part alone (main.py, with SPOOLLOCK_BENCH_MIGRATE_ONLY=1), with dotlock.py's conventions (scratch directory, staged class
    path, signals and a 10-minute alarm, every child stopped at the end); then benchmarks.md is
    rewritten from all the JSON files (the other sections keep the figures of their last run). With
    SPOOLLOCK_BENCH_MIGRATE_ONLY=1 only the migration (f) runs, and its figures replace those of the last
    run's in benchmarks-mbox.json, whose other parts stay as they are."""
    sys.modules.setdefault("mbox", sys.modules[__name__])
    for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, base.on_signal)
    signal.alarm(600)
    workdir = tempfile.mkdtemp(prefix="spoollock-bench.", dir=os.environ.get("SPOOLLOCK_BENCH_PARENT", "/tmp"))
    os.chmod(workdir, 0o1777)
    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "standalone": True}
    try:
        base.stage_classpath(workdir)
        res["machine"] = base.machine(workdir)
        can_cc = False
        try:
            pwd.getpwnam(base.USER)
            can_cc = os.getuid() == 0
        except KeyError:
            pass
        if MIGRATE_ONLY:
            try:
                with open(os.path.join(base.OUT, "benchmarks-mbox.json")) as f:
                    last = json.load(f)
            except FileNotFoundError:
                raise RuntimeError("SPOOLLOCK_BENCH_MIGRATE_ONLY needs the figures of an earlier run of all the parts"
                                   " in %s/benchmarks-mbox.json" % base.OUT) from None
            mig = run(workdir, can_cc, only_migrate=True)["migrate"]
            mig["alone"] = True
            mig["machine"] = res["machine"]
            last["migrate"] = mig
            res = last
            measured = {"migrate": mig}   # the other parts' figures are the last run's, judged then
        else:
            res.update(run(workdir, can_cc))
            res["machine"]["loadavg_after"] = os.getloadavg()
            measured = res
        base.write_json("benchmarks-mbox.json", res)
        report_only()
        print(summary_line(res))
        return fail_if_wrong(measured)
    finally:
        signal.alarm(0)
        base.kill_all()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit("run the benchmarks through spooltest/bench/main.py (SPOOLLOCK_BENCH_MIGRATE_ONLY=1 for this part's migration alone)")
