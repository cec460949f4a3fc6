"""LMTP delivery benchmark (part of `spooltest/run bench`; driven by dotlock.py, which imports it):
4 KB messages through Python's smtplib.LMTP into one mbox, fsync on, against the raw C floor of one
mbox delivery (spooltest/c/bench-deliver-raw.c, the same message size, measured in the same run) and
Dovecot's LMTP (a private instance, Debian's defaults: mbox_write_locks = fcntl dotlock,
mail_fsync = optimized) with the same clients.

  - 1, 4 and 8 connections into one mailbox, one client process per connection (smtplib holds
    Python's interpreter lock, ~2,000 transactions/s per process at best): aggregate messages/s and
    each delivery's latency (the whole transaction as the client sees it: MAIL, RCPT, DATA, the
    reply after the dot), p50 and p99;
  - 100 connections to 100 mailboxes (20 processes x 5 connections): aggregate rate and the
    service's peak RSS (VmHWM);
  - every run's mailbox is counted afterwards: exactly the messages sent, or the run fails.

Environment: SPOOLLOCK_BENCH_LMTP_N (messages per spoollock run, default 1500),
SPOOLLOCK_BENCH_LMTP_DOVECOT=0 to leave Dovecot out.
"""
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time

import common as base

N = int(os.environ.get("SPOOLLOCK_BENCH_LMTP_N", "1500"))
WARM = int(os.environ.get("SPOOLLOCK_BENCH_LMTP_WARM", "24000"))
WITH_DOVECOT = os.environ.get("SPOOLLOCK_BENCH_LMTP_DOVECOT", "1") != "0"
CONNECTIONS = [1, 4, 8]
DOVECOT_N = {1: 600, 4: 200, 8: 200}  # Dovecot manages tens of messages/s with 4+ connections
LOAD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lmtpload.py")
RAW = os.path.join(base.TOP, "spooltest", "bin", "bench-deliver-raw")
GOALS = {"one_connection_vs_floor": 0.8, "eight_connections_vs_floor": 2.0, "vs_dovecot": 5.0,
         "vs_dovecot_4plus": 50.0, "rss_mb_100": 256}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_listening(port, proc, what, log):
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("%s exited: %s" % (what, open(log).read()[-2000:]))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s is not listening on %d" % (what, port))


def floor_rate(d, n=2000):
    mb = os.path.join(d, "floor-%d" % time.monotonic_ns())
    out = subprocess.run([RAW, mb, str(n), "200"], check=True, stdout=subprocess.PIPE, text=True).stdout
    os.unlink(mb)
    return json.loads(out.strip().splitlines()[-1])["messages_per_s"]


def cpu_seconds(pid):
    """user + system CPU time a process has used so far (/proc/PID/stat, clock ticks)."""
    if pid is None:
        return None
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(port, total, connections, rcpt, procs=None, per_proc_conns=1, server_pid=None):
    """total messages over `procs` client processes (default: one per connection); the aggregate rate
    from the first start to the last end, the latencies, and the CPU time per message of the clients and
    (given its PID) of the server: on a machine with few CPUs the clients' share bounds the rate."""
    procs = procs or connections
    go = os.path.join(base.WORKDIR, "go-%d" % time.monotonic_ns())
    ps = []
    for k in range(procs):
        share = total // procs + (1 if k < total % procs else 0)
        r = rcpt.replace("%p", str(k))
        ps.append(subprocess.Popen([sys.executable, LOAD, str(port), str(share), str(per_proc_conns), r, go],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    try:
        time.sleep(0.5 + 0.02 * procs)  # every client connected
        server0 = cpu_seconds(server_pid)
        open(go, "w").close()
        res = []
        for p in ps:
            out, err = p.communicate(timeout=600)
            if p.returncode != 0:
                raise RuntimeError("LMTP client failed: " + err.strip()[-1000:])
            res.append(json.loads(out.strip().splitlines()[-1]))
        server1 = cpu_seconds(server_pid)
    finally:
        for p in ps:
            if p.poll() is None:
                p.kill()
        if os.path.exists(go):
            os.unlink(go)
    t0 = min(r["t0"] for r in res)
    t1 = max(r["t1"] for r in res)
    lat = [x for r in res for x in r["latency_us"]]
    out = {"messages": total, "connections": connections, "client_processes": procs,
           "messages_per_s": round(total / (t1 - t0), 1), "p50_ms": round(base.pct(lat, 50) / 1000, 2),
           "p99_ms": round(base.pct(lat, 99) / 1000, 2),
           "client_cpu_ms_per_message": round(1000 * sum(r.get("cpu_s", 0) for r in res) / total, 3)}
    if server0 is not None:
        # server CPU over the whole run, a little wider than the clients' window (their connect and quit)
        out["server_cpu_ms_per_message"] = round(1000 * (server1 - server0) / total, 3)
    return out


def count_messages(path):
    with open(path, "rb") as f:
        return sum(1 for line in f if line.startswith(b"From bench@example.org "))


def ours(d):
    port = free_port()
    boxes = os.path.join(d, "ours")
    os.makedirs(boxes)
    log = os.path.join(d, "ours.log")
    # the collector and young generation bin/spoollock gives the service
    cmd = [base.JAVA, "-XX:+UseSerialGC", "-Xmn24m", "--enable-native-access=ALL-UNNAMED", "-cp", base.CP, "org.spoollock.cli.Main",
           "lmtp", "--listen", "127.0.0.1:%d" % port, "--users", "any", "--mailbox", boxes + "/%u",
           "--stats-every", "0", "--max-connections", "512"]
    p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=base.JAVA_ENV)
    res = {"command": " ".join(cmd[:3] + ["..."] + cmd[7:])}
    try:
        wait_listening(port, p, "spoollock lmtp", log)
        # a service runs for days: measure it warm. The JIT's C2 compiler is still at work after 10,000
        # messages (0.3 ms of CPU per message on 2 CPUs) and done after about 20,000
        base.log("lmtp: spoollock warm-up (%d messages, 2 connections)" % WARM)
        load(port, WARM, 2, "warm@x")
        for c in CONNECTIONS:
            rc = "one%d@x" % c
            r = load(port, N, c, rc, server_pid=p.pid)
            got = count_messages(os.path.join(boxes, "one%d" % c))
            if got != N:
                raise RuntimeError("spoollock lmtp: %d of %d messages in the mailbox after %d connections" % (got, N, c))
            base.log("lmtp: spoollock, %d connection(s) into one mbox: %.0f msg/s, p50 %.2f ms, p99 %.2f ms"
                     % (c, r["messages_per_s"], r["p50_ms"], r["p99_ms"]))
            res["one_mailbox_%d" % c] = r
        r = load(port, 3000, 100, "m%pc%d@x", procs=20, per_proc_conns=5, server_pid=p.pid)
        got = sum(count_messages(os.path.join(boxes, "m%dc%d" % (k, i))) for k in range(20) for i in range(5))
        if got != 3000:
            raise RuntimeError("spoollock lmtp: %d of 3000 messages in the 100 mailboxes" % got)
        with open("/proc/%d/status" % p.pid) as f:
            hwm = int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))
        r["peak_rss_mb"] = round(hwm / 1024, 1)
        res["hundred_mailboxes"] = r
        base.log("lmtp: spoollock, 100 connections to 100 mailboxes: %.0f msg/s, peak RSS %.0f MB"
                 % (r["messages_per_s"], r["peak_rss_mb"]))
    finally:
        p.terminate()
        try:
            res["exit_on_sigterm"] = p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            res["exit_on_sigterm"] = "killed after 60 s"
    return res


def dovecot(d):
    if not shutil.which("dovecot") or not os.path.exists("/usr/lib/dovecot/lmtp"):
        return {"skipped": "Dovecot's LMTP (dovecot-lmtpd) is not installed (spooltest/run setup installs it)"}
    pw = pwd.getpwnam(base.USER)
    dc = os.path.join(d, "dovecot")
    home = os.path.join(dc, "home")
    os.makedirs(os.path.join(home, "mail"))
    for x in (home, os.path.join(home, "mail")):
        os.chown(x, pw.pw_uid, pw.pw_gid)
    port = free_port()
    conf = os.path.join(dc, "dovecot.conf")
    with open(conf, "w") as f:
        f.write("""base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = lmtp
listen = 127.0.0.1
ssl = no
passdb {{
  driver = static
  args = nopassword=y
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}
}}
mail_location = mbox:{home}/mail:INBOX={home}/inbox-%u
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
  unix_listener lmtp {{
    mode = 0
  }}
}}
""".format(d=dc, uid=pw.pw_uid, gid=pw.pw_gid, home=home, port=port))
    eff = subprocess.run(["doveconf", "-c", conf], capture_output=True, text=True).stdout
    settings = dict(re.findall(r"^(mbox_write_locks|mail_fsync) = (.*)$", eff, re.M))
    with open(os.path.join(dc, "start.log"), "w") as out:
        r = subprocess.run(["dovecot", "-c", conf], stdout=out, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        return {"skipped": "dovecot -c did not start: " + open(os.path.join(dc, "start.log")).read()[-500:]}
    res = {"version": subprocess.run(["dovecot", "--version"], capture_output=True, text=True).stdout.strip(),
           "settings": settings}
    try:
        wait_listening(port, None, "Dovecot's LMTP", os.path.join(dc, "dovecot.log"))
        load(port, 200, 1, "warm@x")
        for c in CONNECTIONS:
            n = DOVECOT_N[c]
            r = load(port, n, c, "dc%d@x" % c)
            got = count_messages(os.path.join(home, "inbox-dc%d@x" % c))
            if got != n:
                r["delivered_check"] = "%d of %d in the mailbox" % (got, n)
            base.log("lmtp: Dovecot, %d connection(s) into one mbox: %.0f msg/s, p50 %.2f ms, p99 %.2f ms"
                     % (c, r["messages_per_s"], r["p50_ms"], r["p99_ms"]))
            res["one_mailbox_%d" % c] = r
    finally:
        subprocess.run(["doveadm", "-c", conf, "stop"], capture_output=True)
        pid = os.path.join(dc, "run", "master.pid")
        for _ in range(100):
            if not os.path.exists(pid):
                break
            time.sleep(0.1)
    return res


def run(workdir, can_cclient):
    base.WORKDIR = workdir
    d = os.path.join(workdir, "lmtp")
    os.makedirs(d)
    os.chmod(d, 0o755)
    res = {"messages_per_run": N, "message_size": 4096}
    floors = [floor_rate(d)]
    res["spoollock"] = ours(d)
    floors.append(floor_rate(d))
    res["dovecot"] = dovecot(d) if WITH_DOVECOT else {"skipped": "SPOOLLOCK_BENCH_LMTP_DOVECOT=0"}
    floors.append(floor_rate(d))
    res["floor_messages_per_s"] = [round(x, 1) for x in floors]
    floor = base.median(floors)
    res["floor_median"] = round(floor, 1)
    ratios = {}
    for c in CONNECTIONS:
        o = res["spoollock"]["one_mailbox_%d" % c]["messages_per_s"]
        ratios["%d_vs_floor" % c] = round(o / floor, 2)
        dv = res["dovecot"].get("one_mailbox_%d" % c)
        if dv:
            ratios["%d_vs_dovecot" % c] = round(o / dv["messages_per_s"], 1)
    res["ratios"] = ratios
    return res


def report(res, machine):
    L = ["## LMTP delivery service: spoollock lmtp, Dovecot's LMTP and the C floor", ""]
    L.append("4 KB messages through Python's `smtplib.LMTP` (one client process per connection, one transaction per"
             " message), fsync on, into one mbox; the C floor is one mbox delivery in a loop (`bench-deliver-raw`:"
             " dot-lock, O_APPEND, flock, write, fsync), measured %d times in this run (%s msg/s, median %.0f)."
             % (len(res["floor_messages_per_s"]), ", ".join("%.0f" % x for x in res["floor_messages_per_s"]),
                res["floor_median"]))
    dv = res["dovecot"]
    if "skipped" in dv:
        L.append("Dovecot: skipped (%s)." % dv["skipped"])
    else:
        L.append("Dovecot %s, private instance, %s (its Debian defaults)."
                 % (dv["version"], ", ".join("%s = %s" % kv for kv in sorted(dv["settings"].items()))))
    L.append("")
    L.append("| connections | spoollock msg/s | p50 / p99 ms | Dovecot msg/s | p50 / p99 ms | spoollock / C floor (goal) | spoollock / Dovecot (goal) |")
    L.append("|---|---|---|---|---|---|---|")
    for c in CONNECTIONS:
        o = res["spoollock"]["one_mailbox_%d" % c]
        d = dv.get("one_mailbox_%d" % c, {})
        fgoal = {1: ">= %.1f" % GOALS["one_connection_vs_floor"], 8: ">= %.1f" % GOALS["eight_connections_vs_floor"]}.get(c, "")
        dgoal = ">= %.0f" % (GOALS["vs_dovecot_4plus"] if c >= 4 else GOALS["vs_dovecot"])
        L.append("| %d | %.0f | %.2f / %.2f | %s | %s | %.2fx %s | %s %s |" % (
            c, o["messages_per_s"], o["p50_ms"], o["p99_ms"],
            "%.0f" % d["messages_per_s"] if d else "-", "%.2f / %.2f" % (d["p50_ms"], d["p99_ms"]) if d else "-",
            res["ratios"]["%d_vs_floor" % c], fgoal,
            "%.1fx" % res["ratios"]["%d_vs_dovecot" % c] if d else "-", dgoal))
    h = res["spoollock"]["hundred_mailboxes"]
    L.append("")
    L.append("100 connections to 100 mailboxes (20 client processes x 5 connections, %d messages): %.0f msg/s,"
             " p50 %.2f ms, p99 %.2f ms, the service's peak RSS %.0f MB (goal <= %d MB). Every run's mailboxes held"
             " exactly the messages sent. SIGTERM ended the service with exit %s."
             % (h["messages"], h["messages_per_s"], h["p50_ms"], h["p99_ms"], h["peak_rss_mb"], GOALS["rss_mb_100"],
                res["spoollock"]["exit_on_sigterm"]))
    L.append("")
    ncpu = os.cpu_count() or 1
    L.append("CPU time per message (the same runs), and the rate %d CPUs could reach if CPU were all that"
             " counted:" % ncpu)
    L.append("")
    L.append("| connections | clients (Python) ms | spoollock lmtp ms | ceiling with a server costing nothing | ceiling for both |")
    L.append("|---|---|---|---|---|")
    for c in CONNECTIONS:
        o = res["spoollock"]["one_mailbox_%d" % c]
        cl, sv = o.get("client_cpu_ms_per_message"), o.get("server_cpu_ms_per_message")
        if cl is None or sv is None:
            continue
        L.append("| %d | %.3f | %.3f | %s msg/s | %s msg/s |" % (
            c, cl, sv, "%.0f" % (1000.0 * min(c, ncpu) / cl) if cl else "-",
            "%.0f" % (1000.0 * min(c + 1, ncpu) / (cl + sv)) if cl + sv else "-"))
    one = res["spoollock"]["one_mailbox_1"].get("client_cpu_ms_per_message")
    if one:
        # one connection overlaps nothing: the floor's own time per message plus the client's, in sequence
        best = 1000.0 / (1000.0 / res["floor_median"] + one)
        L.append("")
        L.append("With one connection nothing overlaps: each message costs the client's work, the service's and the"
                 " fsync one after the other, where the C floor pays only for its lock, write and fsync (%.3f ms)."
                 " A service that cost nothing at all would reach 1 / (%.3f + %.3f ms) = %.0f msg/s, %.2fx the floor:"
                 " the goal of 0.8x cannot be met with this client, on any hardware where the client's work is not"
                 " much smaller than an fsync." % (1000.0 / res["floor_median"], 1000.0 / res["floor_median"], one,
                                                   best, best / res["floor_median"]))
    L.append("")
    L.append("Reading: one connection is bounded by the client's round trips (smtplib sends MAIL, RCPT and DATA and"
             " waits for each reply; no pipelining) and by one fsync per message; group commit pays off only with"
             " several connections, where deliveries that arrive during a write share the next one. With more"
             " connections than CPUs the Python clients and the service share the CPUs: the ceilings above say how"
             " far this machine can go at all with this client.")
    L.append("")
    return L


def summary_line(res):
    s = res["spoollock"]
    return "lmtp: 1/4/8 connections %s msg/s (%s x the C floor %.0f); 100 mailboxes %.0f msg/s, RSS %.0f MB" % (
        "/".join("%.0f" % s["one_mailbox_%d" % c]["messages_per_s"] for c in CONNECTIONS),
        "/".join("%.2f" % res["ratios"]["%d_vs_floor" % c] for c in CONNECTIONS), res["floor_median"],
        s["hundred_mailboxes"]["messages_per_s"], s["hundred_mailboxes"]["peak_rss_mb"])
