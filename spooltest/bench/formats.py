"""Migration into the other formats (issue 19, part 5): one mbox with flags set (FORMATS_MB, 256 MiB by
default; the generator and flags of the mbox part's migration), copied by `bin/spoollock copy` into

  - a Maildir, against Debian's `mb2md` (which keeps no UIDs or keywords and does not fsync);
  - mbx, against c-client's `mailutil copy SRC '#driver.mbx/DST'` (when spoollock has an mbx driver);
  - a private Dovecot's IMAP on loopback, against `mailutil copy SRC '{127.0.0.1:PORT/notls/user=U}FOLDER'`,

each beside its floor measured in the same run: the same bytes read and written once (bench-copy-raw into
one file, one fsync; for IMAP, a raw client that sends every message in one MULTIAPPEND with LITERAL+, so
the server's own storing is in it). Everything as the test user, rounds alternating the programs; each
target is counted afterwards by spoollock and by its peer (c-client, doveadm). Imports only common.py.
"""
import datetime
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time

import common as base
from common import as_user, as_user_kw, generate, status_flags, timed_run, user_file

E = os.environ.get
MB = int(E("SPOOLLOCK_BENCH_FORMATS_MB", "256"))
ROUNDS = int(E("SPOOLLOCK_BENCH_FORMATS_ROUNDS", "3"))
SPOOLLOCK = os.path.join(base.TOP, "bin", "spoollock")
COPY_FLOOR = os.path.join(base.TOP, "spooltest", "bin", "bench-copy-raw")
MAILDIR_FLOOR = os.path.join(base.TOP, "spooltest", "bin", "bench-maildir-raw")
CC_COUNT = os.path.join(base.TOP, "spooltest", "bin", "cclient-count")
MAILUTIL = shutil.which("mailutil") or "/usr/bin/mailutil"
MB2MD = shutil.which("mb2md") or "/usr/bin/mb2md"
PASSWORD = "bench-secret"
GOALS = {"maildir": ("mb2md", 2.0, "at least 2x faster than mb2md"),
         "mbx": ("mailutil", 1.0, "no slower than mailutil copy"),
         "imap": ("mailutil", 2.0, "at least 2x faster than mailutil copy")}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has_driver(name):
    out = subprocess.run([SPOOLLOCK, "copy", "--help"], capture_output=True, text=True).stdout
    return re.search(r"\b%s\b" % name, out) is not None


class Dovecot:
    """A private Dovecot IMAP on loopback (its own configuration and directories), Maildir under the test
    user's scratch home; a passwd-file with the benchmark's password."""

    def __init__(self, d, home):
        pw = pwd.getpwnam(base.USER)
        self.dir = os.path.join(d, "dovecot")
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        self.home = os.path.join(home, "imap-home")
        os.makedirs(self.home)
        os.chown(self.home, pw.pw_uid, pw.pw_gid)
        self.port = free_port()
        passwd = os.path.join(self.dir, "passwd")
        with open(passwd, "w") as f:
            f.write("%s:{PLAIN}%s:%d:%d::%s\n" % (base.USER, PASSWORD, pw.pw_uid, pw.pw_gid, self.home))
        internal = base.sh_out("doveconf", "-h", "default_internal_user") or "dovecot"
        shutil.chown(passwd, "root", internal)
        os.chmod(passwd, 0o640)
        self.conf = os.path.join(self.dir, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join([
                "base_dir = %s/run" % self.dir, "state_dir = %s/state" % self.dir, "log_path = %s/dovecot.log" % self.dir,
                "protocols = imap", "listen = 127.0.0.1", "ssl = no", "disable_plaintext_auth = no",
                "auth_mechanisms = plain login",
                "passdb {", "  driver = passwd-file", "  args = scheme=PLAIN username_format=%%u %s" % passwd, "}",
                "userdb {", "  driver = static", "  args = uid=%d gid=%d home=%s" % (pw.pw_uid, pw.pw_gid, self.home), "}",
                "mail_location = maildir:%s/Maildir" % self.home,
                "service imap-login {", "  inet_listener imap {", "    address = 127.0.0.1", "    port = %d" % self.port,
                "  }", "  inet_listener imaps {", "    port = 0", "  }", "}",
                "service pop3-login {", "  inet_listener pop3 {", "    port = 0", "  }", "}",
                "service submission-login {", "  inet_listener submission {", "    port = 0", "  }", "}",
                "service lmtp {", "  unix_listener lmtp {", "    mode = 0", "  }", "}", ""]))
        # into a file, not a pipe: the daemon it forks keeps its standard output open
        start_log = os.path.join(self.dir, "start.log")
        with open(start_log, "w") as out:
            r = subprocess.run(["dovecot", "-c", self.conf], stdout=out, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise RuntimeError("dovecot -c %s: %s" % (self.conf, open(start_log).read()[-500:]))
        until = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                break
            except OSError:
                if time.monotonic() > until:
                    raise RuntimeError("Dovecot's IMAP is not listening on %d" % self.port)
                time.sleep(0.1)
        self.version = base.sh_out("dovecot", "--version")

    def count(self, folder):
        r = subprocess.run(["doveadm", "-c", self.conf, "mailbox", "status", "-u", base.USER, "messages", folder],
                           capture_output=True, text=True)
        m = re.search(r"messages=(\d+)", r.stdout)
        return int(m.group(1)) if m else "doveadm: %s" % (r.stderr.strip()[:200] or r.stdout.strip()[:200])

    def delete(self, folder):
        subprocess.run(["doveadm", "-c", self.conf, "mailbox", "delete", "-u", base.USER, folder], capture_output=True)

    def stop(self):
        subprocess.run(["doveadm", "-c", self.conf, "stop"], capture_output=True)
        pid = os.path.join(self.dir, "run", "master.pid")
        for _ in range(100):
            if not os.path.exists(pid):
                break
            time.sleep(0.1)


def split_mbox(path, crlf=True):
    """The messages of an mbox as an IMAP client sends them (CRLF, the From_ line dropped), for the floors;
    with crlf=False as a Maildir file holds them (LF)."""
    with open(path, "rb") as f:
        data = f.read()
    # a From_ line (sender, ctime date, optional zone) at the start or after a blank line: the generator's
    # bodies hold other lines starting "From "
    starts = [m.start() for m in re.finditer(rb"(?:^|(?<=\n\n))From \S+ +\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}"
                                              rb"(?: [+-]\d{4})?\n", data)]
    msgs = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else len(data)
        body = data[data.index(b"\n", s) + 1:e]
        msgs.append(body.replace(b"\n", b"\r\n") if crlf else body)
    return msgs


IMAP_FLOOR = r'''
import socket, sys, time
port, folder, src, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
msgs = open(src, "rb").read().split(b"\0\0\0\0SPLIT\0\0\0\0")
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
def reply(tag):
    while True:
        line = f.readline()
        if not line:
            raise SystemExit("connection closed")
        if line.startswith(tag + b" "):
            if not line.startswith(tag + b" OK"):
                raise SystemExit(line.decode(errors="replace"))
            return
t0 = time.monotonic_ns()
f.readline()
s.sendall(b'a LOGIN "%s" "%s"\r\n' % (user.encode(), pw.encode()))
reply(b"a")
s.sendall(b'b CREATE "%s"\r\n' % folder.encode())
reply(b"b")
parts = [b'c APPEND "%s"' % folder.encode()]
for m in msgs:
    parts.append(b" {%d+}\r\n" % len(m))
    parts.append(m)
parts.append(b"\r\n")
s.sendall(b"".join(parts))
reply(b"c")
s.sendall(b"d LOGOUT\r\n")
t1 = time.monotonic_ns()
print('{"messages": %d, "bytes": %d, "ns": %d}' % (len(msgs), sum(map(len, msgs)), t1 - t0))
'''


def run(workdir, can_cclient):
    started = time.monotonic()
    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "loadavg_before": os.getloadavg(), "rounds": ROUNDS}
    if os.getuid() != 0:
        return {"skipped": "needs root (the programs run as the test user)"}
    pw = pwd.getpwnam(base.USER)
    uid, gid = pw.pw_uid, pw.pw_gid
    d = tempfile.mkdtemp(prefix="spoollock-formats-bench.", dir=pw.pw_dir)
    os.chown(d, uid, gid)
    os.chmod(d, 0o755)
    home = pw.pw_dir
    rel = lambda p: os.path.relpath(p, home)
    user_kw = as_user_kw(home)
    res["directory"] = d
    res["filesystem"] = base.sh_out("findmnt", "-n", "-o", "FSTYPE", "-T", d)
    dovecot = None
    try:
        src = os.path.join(d, "source-mbox")
        base.log("formats: generating a %d MiB mbox" % MB)
        gen = generate(src, MB, None, 0)["file"]
        os.chown(src, uid, gid)
        want = gen["messages"]
        for seq, fl in (("1:%d" % max(1, want // 5), "+\\Flagged"),
                        ("%d:%d" % (want // 10 + 1, max(want // 10 + 1, want * 4 // 10)), "+\\Answered,\\Seen")):
            ms, rc, out, err, _ = timed_run([SPOOLLOCK, "flag", rel(src), seq, fl], **user_kw)
            if rc != 0:
                raise RuntimeError("spoollock flag: exit %d: %s" % (rc, err.strip()[:500]))
        res["source"] = dict(status_flags(src), bytes=os.path.getsize(src), messages=want)
        floor_in = os.path.join(d, "floor-messages")
        msgs = split_mbox(src)
        with open(floor_in, "wb") as f:
            f.write(b"\0\0\0\0SPLIT\0\0\0\0".join(msgs))
        os.chown(floor_in, uid, gid)
        res["source"]["messages_split_for_floor"] = len(msgs)
        maildir_in = os.path.join(d, "floor-messages-lf")
        with open(maildir_in, "wb") as f:
            f.write(b"\0\0\0\0SPLIT\0\0\0\0".join(split_mbox(src, crlf=False)))
        os.chown(maildir_in, uid, gid)
        if len(msgs) != want:
            raise RuntimeError("the IMAP floor's split found %d messages in the source, spoollock %d" % (len(msgs), want))
        del msgs
        can_cc = bool(can_cclient and os.access(MAILUTIL, os.X_OK))
        targets = []
        if has_driver("maildir"):
            targets.append("maildir")
        if has_driver("mbx"):
            targets.append("mbx")
        else:
            res["mbx"] = {"skipped": "this build has no mbx driver"}
        if shutil.which("dovecot") and os.path.exists("/usr/lib/dovecot/imap"):
            dovecot = Dovecot(d, d)
            res["dovecot_version"] = dovecot.version
            targets.append("imap")
        else:
            res["imap"] = {"skipped": "Dovecot's IMAP is not installed"}
        seq = [0]

        def commands(target, kind):
            """(argv, stdin, where the result is) of one run of kind into a fresh target."""
            seq[0] += 1
            n = seq[0]
            if target == "imap":
                folder = "bench%d%s" % (n, kind)
                if kind == "spoollock":
                    return [SPOOLLOCK, "copy", "--no-progress", rel(src),
                            "imap://%s@127.0.0.1:%d/%s" % (base.USER, dovecot.port, folder)], None, folder
                if kind == "mailutil":
                    return [MAILUTIL, "copy", rel(src), "{127.0.0.1:%d/notls/user=%s}%s" % (dovecot.port, base.USER, folder)], \
                        (PASSWORD + "\n").encode(), folder
                return ["python3", "-c", IMAP_FLOOR, str(dovecot.port), folder, floor_in, base.USER, PASSWORD], None, folder
            t = os.path.join(d, "%s-%d-%s" % (target, n, kind))
            if kind == "spoollock":
                return [SPOOLLOCK, "copy", "--no-progress", "--format", target, rel(src), rel(t)], None, t
            if kind == "mb2md":
                return [MB2MD, "-s", src, "-d", t], None, t
            if kind == "mailutil":
                return [MAILUTIL, "copy", rel(src), "#driver.mbx/" + rel(t)], None, t
            if kind == "maildir-floor":
                return [MAILDIR_FLOOR, rel(maildir_in), rel(t)], None, t
            return [COPY_FLOOR, rel(src), rel(t)], None, t

        def count(target, kind, where):
            c = {}
            if target == "imap":
                c["dovecot"] = dovecot.count(where)
                return c
            if kind == "floor":
                return c
            ms, rc, out, err, _ = timed_run([SPOOLLOCK, "count", rel(where)], **user_kw)
            c["spoollock"] = int(out.split()[-1]) if rc == 0 and out.strip() else "exit %d: %s" % (rc, err.strip()[:200])
            if target == "mbx" and can_cc:
                ms, rc, out, err, _ = timed_run([CC_COUNT, rel(where)], **user_kw)
                c["cclient"] = int(out.split()[-1]) if rc == 0 and out.strip() else "exit %d: %s" % (rc, err.strip()[:200])
            if target == "maildir":
                r = subprocess.run(["doveadm", "-o", "mail_location=maildir:" + where, "mailbox", "status", "messages",
                                    "INBOX"], capture_output=True, text=True, **{k: v for k, v in as_user(cwd=home).items()})
                m = re.search(r"messages=(\d+)", r.stdout)
                c["dovecot"] = int(m.group(1)) if m else "doveadm: %s" % r.stderr.strip()[:200]
            return c

        def remove(target, where):
            if target == "imap":
                dovecot.delete(where)
            elif os.path.isdir(where):
                shutil.rmtree(where)
            elif os.path.lexists(where):
                os.unlink(where)

        def one(target, kind):
            argv, stdin, where = commands(target, kind)
            os.sync()
            env = dict(user_kw["env"], SPOOLLOCK_IMAP_PASSWORD=PASSWORD)
            kw = dict(user_kw, env=env)
            t0 = time.monotonic_ns()
            p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
            out, err = p.communicate(stdin, timeout=900)
            ms = (time.monotonic_ns() - t0) / 1e6
            out, err = out.decode(errors="replace"), err.decode(errors="replace")
            if p.returncode != 0 or (kind == "spoollock" and "\nverified: " not in "\n" + out):
                raise RuntimeError("%s: exit %d: %s %s" % (" ".join(argv), p.returncode, out.strip()[-300:], err.strip()[:500]))
            if kind == "floor" and target == "imap":
                ms = int(out.strip().splitlines()[-1].split('"ns": ')[1].rstrip("}")) / 1e6  # the client's own clock
            c = count(target, kind, where)
            if any(v != want for v in c.values()):
                raise RuntimeError("%s into %s: the target holds %s messages, expected %d" % (kind, where, c, want))
            remove(target, where)
            return round(ms, 1), c, argv

        for target in targets:
            peer = GOALS[target][0]
            kinds = ["spoollock"] + ([peer] if (peer != "mailutil" or can_cc) and (peer != "mb2md" or os.access(MB2MD, os.X_OK)) else []) \
                + ["floor"] + (["maildir-floor"] if target == "maildir" else [])
            base.log("formats: %s into %s, %d rounds (+1 untimed each)" % (", ".join(kinds), target, ROUNDS))
            for k in kinds:
                one(target, k)  # page cache and programs warm
            wall = {k: [] for k in kinds}
            checks, argvs = [], {}
            for r in range(ROUNDS):
                for k in (kinds if r % 2 == 0 else kinds[::-1]):
                    ms, c, argv = one(target, k)
                    wall[k].append(ms)
                    argvs[k] = argv
                    checks.append(dict(c, round=r + 1, program=k))
            t = {"programs": {}, "checks": checks}
            for k in kinds:
                t["programs"][k] = {"command": " ".join([os.path.basename(argvs[k][0])] + argvs[k][1:]) if k != "floor" or target != "imap"
                                    else "raw MULTIAPPEND client (spooltest/bench/formats.py IMAP_FLOOR)",
                                    "wall_ms": wall[k], "median_ms": base.median(wall[k]),
                                    "mb_per_s": round(res["source"]["bytes"] / 1e6 / (base.median(wall[k]) / 1e3), 1)}
            if peer in kinds:
                per = [p / s for p, s in zip(wall[peer], wall["spoollock"])]
                t["ratio_peer_to_spoollock"] = round(base.median(per), 3)
                t["goal"] = GOALS[target][1]
                t["goal_met"] = t["ratio_peer_to_spoollock"] >= GOALS[target][1]
            per = [s / f for s, f in zip(wall["spoollock"], wall["floor"])]
            t["ratio_spoollock_to_floor"] = round(base.median(per), 3)
            res[target] = t
            base.log("formats: %s: %s" % (target, ", ".join("%s %.0f ms" % (k, t["programs"][k]["median_ms"]) for k in kinds)))
    finally:
        if dovecot:
            dovecot.stop()
        shutil.rmtree(d, ignore_errors=True)
    res["loadavg_after"] = os.getloadavg()
    res["bench_seconds"] = round(time.monotonic() - started, 1)
    return res


def report(res, machine):
    L = ["## Migration into other formats: Maildir, mbx, IMAP", ""]
    if res.get("skipped"):
        return L + ["Skipped: %s" % res["skipped"], ""]
    s = res["source"]
    L.append("A %.0f MB mbox of %d messages (generated; %d flagged, %d seen and answered, set with `spoollock flag`)"
             " copied by `bin/spoollock copy` (JVM start, copy, fsync, the verification pass) into each format, against"
             " the program people use for it, both as the test user, %d rounds alternating, medians; and the floor of"
             " each: the same bytes read and written once (`bench-copy-raw`: one file, one fsync), for IMAP a raw client"
             " sending every message in one MULTIAPPEND (Dovecot %s, private, loopback: its own storing is in the floor)."
             " Each target counted after each run by spoollock and its peer (c-client, doveadm)."
             % (s["bytes"] / 1e6, s["messages"], s["flagged"], s["answered"], res["rounds"], res.get("dovecot_version", "?")))
    L.append("")
    L.append("- Date: %s; directory `%s` on %s; load average before %s, after %s"
             % (res["date"], res["directory"], res["filesystem"], " ".join("%.2f" % x for x in res["loadavg_before"]),
                " ".join("%.2f" % x for x in res["loadavg_after"])))
    L.append("")
    L.append("| target | program | median | MB/s | runs (ms) |")
    L.append("|---|---|---:|---:|---|")
    for target in ("maildir", "mbx", "imap"):
        t = res.get(target)
        if not t or t.get("skipped"):
            L.append("| %s | skipped: %s | | | |" % (target, (t or {}).get("skipped", "not run")))
            continue
        for k, p in t["programs"].items():
            L.append("| %s | %s: `%s` | %.0f ms | %.1f | %s |" % (target, k, p["command"], p["median_ms"], p["mb_per_s"],
                                                              ", ".join("%.0f" % x for x in p["wall_ms"])))
    L.append("")
    for target in ("maildir", "mbx", "imap"):
        t = res.get(target)
        if not t or t.get("skipped"):
            continue
        peer, goal, words = GOALS[target]
        if "ratio_peer_to_spoollock" in t:
            L.append("- **%s**: %s takes %.2fx spoollock's time (goal %s: %s); spoollock takes %.2fx the floor."
                     % (target, peer, t["ratio_peer_to_spoollock"], words, "**met**" if t["goal_met"] else "**not met**",
                        t["ratio_spoollock_to_floor"]))
            need = t["programs"][peer]["median_ms"] / goal
            mf = t["programs"].get("maildir-floor")
            if mf:
                L.append("  The Maildir way's floor (`bench-maildir-raw`: per message create in tmp/, write, futimens,"
                         " close, rename into cur/; one syncfs at the end; no parsing, UIDs, keywords or verification)"
                         " took %.0f ms: spoollock takes %.2fx it, %s %.2fx it (%s writes straight into cur/, where a"
                         " reader can see a file half written, and syncs nothing)."
                         % (mf["median_ms"], t["programs"]["spoollock"]["median_ms"] / mf["median_ms"], peer,
                            t["programs"][peer]["median_ms"] / mf["median_ms"], peer))
            floor_ms = max(t["programs"]["floor"]["median_ms"], mf["median_ms"] if mf else 0)
            if need < floor_ms:
                L.append("  The goal asks for %.0f ms, less than the %sfloor's %.0f ms in this run: out of reach against"
                         " this target, whatever the copy does." % (need, "Maildir way's " if mf and mf["median_ms"] == floor_ms else "",
                                                                    floor_ms))
        else:
            L.append("- **%s**: %s did not run; spoollock takes %.2fx the floor." % (target, peer, t["ratio_spoollock_to_floor"]))
    L.append("")
    L.append("What each does beyond the bytes: spoollock keeps UIDs, UIDVALIDITY, flags and keywords, fsyncs the target"
             " before it ends and re-reads it to verify every message; mb2md keeps flags only (no UIDs, no keywords,"
             " no fsync); `mailutil copy` keeps flags and (mbx) UIDs, fsyncs as its driver does and verifies nothing."
             " The bytes floor writes one file; a Maildir is a file per message, so for Maildir the floor that counts"
             " is the Maildir way's (`bench-maildir-raw`, a file per message through tmp/).")
    L.append("")
    return L


def summary_line(res):
    if res.get("skipped"):
        return "formats: skipped (%s)" % res["skipped"]
    parts = []
    for target in ("maildir", "mbx", "imap"):
        t = res.get(target)
        if t and "ratio_peer_to_spoollock" in t:
            parts.append("%s %.2fx %s (goal %.1fx)" % (target, t["ratio_peer_to_spoollock"], GOALS[target][0], GOALS[target][1]))
    return "formats: " + ", ".join(parts)
