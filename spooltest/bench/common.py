"""What the benchmark parts share (spooltest/bench/{dotlock,mboxlock,session,mbox,lmtp}.py, run by main.py):
where things are, how a JVM of the benchmarks is started, statistics, child processes that are stopped
whatever happens, the machine's description, and the scratch directory's copy of the build. Imports no
part, so that no part imports another."""
import collections
import json
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

TOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.environ.get("SPOOLLOCK_BENCH_OUT", os.path.join(TOP, "docs"))
USER = os.environ.get("SPOOLTEST_USER", "spooltest")
WARMUP = int(os.environ.get("SPOOLLOCK_BENCH_WARMUP", "10000"))
HANDOFF_WARMUP = 5
STRACE_CYCLES = 1000
WORKDIR = None  # the run's scratch directory, once main.py has made it
JAVA = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
CP = os.environ.get("SPOOLLOCK_BENCH_CP") or ":".join(
    [os.path.join(TOP, "target", "test-classes"), os.path.join(TOP, "target", "spoollock.jar"),
     os.path.join(TOP, "target", "lib", "*")])
JAVA_ENV = dict(os.environ, _JAVA_SR_SIGNUM=os.environ.get("_JAVA_SR_SIGNUM", "39"))


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def java(main, *args):
    return [JAVA, "--enable-native-access=ALL-UNNAMED", "-cp", CP, "org.spoollock.bench." + main, *args]


def run_json(cmd, **kw):
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, **kw).stdout
    return json.loads(out.strip().splitlines()[-1])


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def pct(xs, p):
    """Nearest-rank percentile."""
    s = sorted(xs)
    k = max(1, -(-len(s) * p // 100))  # ceil
    return s[int(k) - 1]


def sh_out(*cmd):
    try:
        return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine(workdir):
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    fstype = sh_out("findmnt", "-n", "-o", "FSTYPE", "-T", workdir) or sh_out("stat", "-f", "-c", "%T", workdir)
    jdk = sh_out(JAVA, "-version").splitlines()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": os.uname().release,
        "directory": workdir,
        "filesystem": fstype,
        "mount_options": sh_out("findmnt", "-n", "-o", "OPTIONS", "-T", workdir),
        "jdk": jdk[1] if len(jdk) > 1 else (jdk[0] if jdk else ""),
        "jdk_version": jdk[0] if jdk else "",
        "gcc": (sh_out("gcc", "--version").splitlines() or [""])[0],
        "loadavg_before": os.getloadavg(),
    }


STRACE_LINE = re.compile(r"^(\d+)\s+([a-z_0-9]+)\(")
PRCTL_NAME = re.compile(r'^(\d+)\s+prctl\(PR_SET_NAME, "([^"]*)"')


def syscalls_per_cycle(workdir, main="DotLockBench", extra_args=()):
    """Runs STRACE_CYCLES cycles of `main count` (DotLock by default) under strace -f; counts the calls
    made between the first and the last link() (steady state, after class loading; every cycle
    links once), per cycle, on the cycling thread and on each other thread that makes at least 0.5
    calls a cycle. Also which files the cycle opens."""
    if not shutil.which("strace"):
        return {"skipped": "strace is not installed"}
    trace = os.path.join(workdir, "strace.txt")
    subprocess.run(["strace", "-f", "-qq", "-s", "96", "-o", trace]
                   + java(main, "count", workdir, str(STRACE_CYCLES), *extra_args),
                   check=True, stdout=subprocess.DEVNULL, env=JAVA_ENV)
    with open(trace, errors="replace") as f:
        lines = f.read().splitlines()
    os.unlink(trace)
    names = {}
    links = []
    for i, line in enumerate(lines):
        m = PRCTL_NAME.match(line)
        if m:
            names[m.group(1)] = m.group(2)
        m = STRACE_LINE.match(line)
        if m and m.group(2) == "link":
            links.append((i, m.group(1)))
    if len(links) < 2:
        return {"skipped": "no link() calls seen under strace"}
    cycles = len(links) - 1
    main_tid = collections.Counter(t for _, t in links).most_common(1)[0][0]
    per_tid = collections.defaultdict(collections.Counter)
    opened = collections.Counter()
    for line in lines[links[0][0]:links[-1][0]]:
        m = STRACE_LINE.match(line)
        if not m:
            continue
        tid, call = m.group(1), m.group(2)
        per_tid[tid][call] += 1
        if tid == main_tid and call in ("openat", "open"):
            pm = re.search(r'"([^"]*)"', line)
            if pm:
                p = pm.group(1).replace(workdir, "DIR")
                p = re.sub(r"/proc/\d+/", "/proc/PID/", p)
                p = re.sub(r"\.lock\..*$", ".lock.<hitching post>", p)
                opened[p] += 1
    main = {k: round(v / cycles, 2) for k, v in per_tid[main_tid].most_common()}
    others = []
    for tid, c in per_tid.items():
        if tid == main_tid:
            continue
        total = sum(c.values()) / cycles
        if total >= 0.5:
            others.append({"thread": names.get(tid, "tid " + tid), "calls_per_cycle": round(total, 2),
                           "by_syscall": {k: round(v / cycles, 2) for k, v in c.most_common() if v / cycles >= 0.05}})
    return {
        "cycles": cycles,
        "cycling_thread_total": round(sum(per_tid[main_tid].values()) / cycles, 2),
        "cycling_thread": {k: v for k, v in main.items() if v >= 0.05},
        "opened_per_cycle": {k: round(v / cycles, 2) for k, v in opened.most_common() if v / cycles >= 0.05},
        "other_threads": others,
        "note": "counted under strace -f, which slows the JVM many times: JIT and GC threads are over-represented,"
                " so only threads making >= 0.5 calls per cycle are listed",
    }


LIVE = set()  # every Proc not yet closed: main() kills what is left, also on failure


class Proc:
    """A line-driven child process (HandoffBench, or c-client's hold mode)."""

    def __init__(self, cmd, **kw):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, **kw)
        LIVE.add(self)

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def expect(self, prefix, stream=None):
        stream = stream or self.p.stdout
        while True:
            line = stream.readline()
            if not line:
                raise RuntimeError("child ended while waiting for '%s' (exit %s)" % (prefix, self.p.poll()))
            if line.startswith(prefix) or prefix in line:
                return line.split()

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        finally:
            LIVE.discard(self)

    def kill(self):
        """SIGKILL, for cleanup after a failure (the child is ours: started by Popen, not through runuser)."""
        try:
            self.p.kill()
            self.p.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        LIVE.discard(self)


def as_user(cwd=None, **env):
    """Popen keywords to run a child directly as the unprivileged user (no runuser in between, so
    the PID we hold is the program's own and killing it leaves nothing behind). Needs root."""
    pw = pwd.getpwnam(USER)
    e = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "HOME": pw.pw_dir, "USER": USER,
         "LOGNAME": USER, "LANG": "C"}
    e.update(env)
    return dict(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[], env=e, cwd=cwd or pw.pw_dir)


def kill_all():
    for proc in list(LIVE):
        log("killing leftover child %d (%s)" % (proc.p.pid, " ".join(map(str, proc.p.args[:4]))))
        proc.kill()


def summary(lat, extra):
    d = {"rounds": len(lat), "median_ms": round(median(lat), 3), "p90_ms": round(pct(lat, 90), 3),
         "p99_ms": round(pct(lat, 99), 3), "min_ms": round(min(lat), 3), "max_ms": round(max(lat), 3),
         "all_ms": [round(x, 3) for x in lat]}
    d.update(extra)
    return d


def fmt_ratio(r, goal):
    """Two decimals, or three when two would print the goal itself (1.25 for a missed 1.253)."""
    return "%.3f" % r if "%.2f" % r == "%.2f" % goal and r != goal else "%.2f" % r


def fmt_ns(ns):
    if ns >= 1_000_000:
        return "%.2f ms" % (ns / 1e6)
    return "%.1f µs" % (ns / 1e3)


def write_json(name, data):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


def stage_classpath(workdir):
    """Copies the test classes, the jar and its libraries into the scratch directory and points CP
    there: the JVMs then load the classes of this build even if a concurrent `mvn` rewrites target/,
    and the unprivileged user can read them whatever target/'s permissions."""
    global CP
    if os.environ.get("SPOOLLOCK_BENCH_CP"):
        return
    dist = os.path.join(workdir, "cp")
    os.mkdir(dist)
    try:
        shutil.copytree(os.path.join(TOP, "target", "test-classes"), os.path.join(dist, "test-classes"))
        shutil.copytree(os.path.join(TOP, "target", "lib"), os.path.join(dist, "lib"))
        shutil.copy(os.path.join(TOP, "target", "spoollock.jar"), dist)
    except (OSError, shutil.Error) as e:
        raise RuntimeError("could not copy the build from %s/target (is another build rewriting it? run again once"
                           " it is done): %s" % (TOP, str(e)[:300])) from None
    for root, dirs, files in os.walk(dist):
        for n in dirs:
            os.chmod(os.path.join(root, n), 0o755)
        for n in files:
            os.chmod(os.path.join(root, n), 0o644)
    os.chmod(dist, 0o755)
    CP = ":".join([os.path.join(dist, "test-classes"), os.path.join(dist, "spoollock.jar"), os.path.join(dist, "lib", "*")])


class Stopped(BaseException):
    """SIGTERM, SIGHUP or the 10-minute alarm: raised so that the finally blocks stop every child we started."""

    def __init__(self, signum):
        super().__init__("stopped by signal %d%s" % (signum, " (10-minute time-out)" if signum == signal.SIGALRM else ""))
        self.signum = signum


def on_signal(signum, frame):
    for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # once is enough: let the clean-up run
    raise Stopped(signum)


# ---------------------------------------------------------------- for the mailbox parts (mbox.py, formats.py)

def timed_run(cmd, env=None, **kw):
    """Runs cmd to its end: (wall ms, exit code, stdout, stderr, rusage). Wall time from just before the
    fork to the reaping, so process start-up and exit are in it; rusage of that child alone."""
    with tempfile.TemporaryFile() as err:
        t0 = time.monotonic_ns()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env, **kw)
        out = p.stdout.read()
        p.stdout.close()
        _, status, ru = os.wait4(p.pid, 0)
        t1 = time.monotonic_ns()
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return (t1 - t0) / 1e6, p.returncode, out.decode(errors="replace"), err.read().decode(errors="replace"), ru


def as_user_kw(home):
    return as_user(cwd=home)


def user_file(path, uid, gid, content=b""):
    with open(path, "wb") as f:
        f.write(content)
    if uid is not None:
        os.chown(path, uid, gid)
    os.chmod(path, 0o600)


WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at which but have"
         " an they you were her she there been one all we their has would when if so no will more can out up"
         " about into them some could what time only other new then these two may first any like now my see"
         " such very over just after most also did many before must through back years where much your way"
         " well down should because each people those how too little state good very make world still own"
         " meeting server mailbox delivery invoice report project release budget schedule review draft"
         " attached please thanks regards tomorrow monday friday office customer support ticket update"
         " deadline quarter figures migration backup network printer password account calendar agenda").split()
FROM_BODY = ["From the desk of the managing editor, with apologies for the delay.",
             "From what I understand, the meeting has moved to Thursday afternoon.",
             "From here on the old server is read-only; please use the new one.",
             "From Monday on, the office opens at eight.",
             "From: this looks like a header but it is body text",
             "From my point of view the figures for the quarter look fine.",
             "From 9 to 5 every day, except on public holidays.",
             "From Sat Nov 21 we will be closed for the move (not a From_ line: no time or year)."]
QUOTED_FROM = [">From the archive: this line was quoted by an earlier delivery agent.",
               ">From: quoted header-like line in a forwarded message",
               ">>From the original message, quoted twice."]
DOMAINS = ["example.org", "example.com", "example.net", "mail.example.edu", "lists.example.org"]
NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar"]


def _pools(rng):
    paras = []
    for _ in range(1500):
        lines = []
        for _ in range(rng.randint(3, 12)):
            w, n = [], 0
            target = rng.randint(30, 76)
            while n < target:
                x = rng.choice(WORDS)
                w.append(x)
                n += len(x) + 1
            s = " ".join(w)
            lines.append(s[0].upper() + s[1:] + ("." if rng.random() < 0.3 else ""))
        paras.append("\n".join(lines) + "\n\n")
    b64 = []
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    for _ in range(60):
        b64.append("".join("".join(rng.choice(alphabet) for _ in range(76)) + "\n" for _ in range(24)))
    return paras, b64


def generate(path, mb, prefix_path, prefix_mb, seed=20261121):
    """Writes a realistic mbox of about `mb` MiB (and, if prefix_path, a copy of its first messages up
    to about prefix_mb MiB). Returns facts about both: messages, bytes, special lines."""
    rng = random.Random(seed)
    paras, b64 = _pools(rng)
    target = mb << 20
    cut_at = prefix_mb << 20 if prefix_path else None
    t = 1700000000  # Nov 2023, then forward in time
    stats = {"messages": 0, "from_lines_in_bodies": 0, "quoted_from_lines": 0, "with_attachment": 0,
             "read_messages": 0}
    prefix = None
    size = 0
    with open(path, "wb", buffering=1 << 22) as f:
        while size < target:
            if cut_at is not None and prefix is None and size >= cut_at:
                prefix = dict(stats, bytes=size)
            i = stats["messages"] + 1
            t += rng.randint(10, 3000)
            tm = time.gmtime(t)
            sender = "%s@%s" % (rng.choice(NAMES), rng.choice(DOMAINS))
            ctime = time.strftime("%a %b ", tm) + "%2d" % tm.tm_mday + time.strftime(" %H:%M:%S %Y", tm)
            from_line = "From %s %s%s\n" % (sender, ctime, " +0000" if i % 3 == 0 else "")
            date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", tm)
            h = [from_line,
                 "Return-Path: <%s>\n" % sender,
                 "Received: from mx%d.%s (mx%d.%s [192.0.2.%d])\n\tby mail.example.org with ESMTPS id %08X\n\tfor <spooltest@example.org>; %s\n"
                 % (i % 7, rng.choice(DOMAINS), i % 7, rng.choice(DOMAINS), i % 250, rng.getrandbits(32), date),
                 "Received: from localhost (localhost [127.0.0.1])\n\tby mail.example.org with LMTP; %s\n" % date,
                 "Date: %s\n" % date,
                 "From: %s <%s>\n" % (sender.split("@")[0].capitalize(), sender),
                 "To: spooltest@example.org\n",
                 "Subject: %s %s %s\n" % (rng.choice(WORDS).capitalize(), rng.choice(WORDS), rng.choice(WORDS)),
                 "Message-ID: <gen.%d.%08x@%s>\n" % (i, rng.getrandbits(32), rng.choice(DOMAINS)),
                 "MIME-Version: 1.0\n"]
            want = rng.randint(2000, 20000)
            attach = rng.random() < 0.25
            boundary = "=_part_%08x" % rng.getrandbits(32)
            if attach:
                h.append('Content-Type: multipart/mixed; boundary="%s"\n' % boundary)
                stats["with_attachment"] += 1
            else:
                h.append("Content-Type: text/plain; charset=us-ascii\n")
            if rng.random() < 0.6:  # read by a mail client that keeps c-client's status headers
                h.append("Status: RO\nX-Status: \nX-Keywords:\n")
                stats["read_messages"] += 1
            h.append("\n")
            body = []
            n = sum(len(x) for x in h)
            if attach:
                body.append("--%s\nContent-Type: text/plain; charset=us-ascii\n\n" % boundary)
            text_end = want * 0.6 if attach else want
            while n < text_end:
                p = rng.choice(paras)
                body.append(p)
                n += len(p)
                r = rng.random()
                if r < 0.04:
                    body.append(rng.choice(FROM_BODY) + "\n")
                    stats["from_lines_in_bodies"] += 1
                elif r < 0.05:
                    body.append(rng.choice(QUOTED_FROM) + "\n")
                    stats["quoted_from_lines"] += 1
            if attach:
                body.append("--%s\nContent-Type: application/octet-stream; name=\"data.bin\"\n"
                            "Content-Transfer-Encoding: base64\n\n" % boundary)
                while n < want:
                    blk = rng.choice(b64)
                    body.append(blk)
                    n += len(blk)
                body.append("--%s--\n" % boundary)
            data = ("".join(h) + "".join(body) + "\n").encode("ascii")
            f.write(data)
            size += len(data)
            stats["messages"] += 1
    facts = {"file": dict(stats, bytes=size)}
    if prefix_path:
        if prefix is None:
            prefix = dict(stats, bytes=size)
        with open(path, "rb") as src, open(prefix_path, "wb") as dst:
            left = prefix["bytes"]
            while left:
                k = os.sendfile(dst.fileno(), src.fileno(), None, min(left, 1 << 30))
                if k <= 0:
                    raise OSError("short copy to " + prefix_path)
                left -= k
        facts["prefix"] = prefix
    return facts



def status_flags(path):
    """How many messages carry each flag, from the c-client status headers (Status:, X-Status:) that
    spoollock flag writes into every message."""
    with open(path, "rb") as f:
        data = f.read()
    st = re.findall(rb"^Status: ([A-Z]*)$", data, re.M)
    xs = re.findall(rb"^X-Status: ([A-Z]*)$", data, re.M)
    return {"status_headers": len(st), "seen": sum(b"R" in s for s in st),
            "answered": sum(b"A" in s for s in xs), "flagged": sum(b"F" in s for s in xs),
            "deleted": sum(b"D" in s for s in xs), "draft": sum(b"T" in s for s in xs)}
