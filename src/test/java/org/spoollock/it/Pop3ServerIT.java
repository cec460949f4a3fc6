package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 part 5: the guide's POP3 example server (org.spoollock.examples.Pop3Server, the Jakarta Mail
 * API only) run as the test user in a JVM of its own, with real clients (Python's poplib, fetchmail,
 * curl) while c-client and procmail deliver, and c-client taking the mailbox by its kiss of death.
 */
class Pop3ServerIT {
    private static final int KISS_IDLE_SECONDS = 2;
    private Path dir;
    private Path box;
    private Process server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        dir = Peers.newDir("pop3");
        box = dir.resolve("alice");
        Files.write(box, new byte[0]);
        Peers.chown(box);
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "alice:open sesame\nbob:other\n");
        Peers.chown(passwd);
        // the example's classes, readable by the test user, next to the staged jar and its libraries
        Path classes = dir.resolve("classes");
        Path from = Peers.TOP.resolve("target/test-classes");
        Path pkg = Files.createDirectories(classes.resolve("org/spoollock/examples"));
        try (Stream<Path> s = Files.list(from.resolve("org/spoollock/examples"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith("Pop3Server")) {
                    Files.copy(p, pkg.resolve(p.getFileName()));
                }
            }
        }
        Peers.run(List.of("chmod", "-R", "a+rX", classes.toString()), 10);
        List<String> cmd = new ArrayList<>(Peers.ours());
        int main = cmd.indexOf("org.spoollock.cli.Main");
        cmd.set(main - 1, cmd.get(main - 1) + ":" + classes);
        cmd.set(main, "org.spoollock.examples.Pop3Server");
        cmd.add(main, "-Dmail.mbox.kissofdeath=idle:" + KISS_IDLE_SECONDS);
        cmd.add(main, "-Dmail.mbox.kisswait=2");
        cmd.addAll(List.of("0", passwd.toString(), "mbox:" + dir + "/%u"));
        ProcessBuilder pb = new ProcessBuilder(Peers.asUser(cmd)).redirectError(dir.resolve("server.err").toFile());
        pb.environment().put("_JAVA_SR_SIGNUM", "39");
        server = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("pop3 listening on 127.0.0.1:"), line + "\n" + serverErr());
        port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }

    private String serverErr() throws IOException {
        return Files.readString(dir.resolve("server.err"));
    }

    private Path message(String id, String body) throws IOException {
        Path m = dir.resolve("msg-" + id);
        Files.writeString(m, "From: peer@example.org\nSubject: " + id + "\nMessage-ID: <" + id + "@pop3>\n\n" + body);
        Peers.chown(m);
        return m;
    }

    private void cclientDelivers(String id) throws IOException {
        Peers.Result r = Peers.cclientMbox("append", box, message(id, "from c-client\n.a line with a leading dot\n").toString());
        assertEquals(0, r.status(), r.toString());
    }

    private void procmailDelivers(String id) throws IOException {
        Path rc = dir.resolve("rc");
        if (!Files.exists(rc)) {
            Files.writeString(rc, ":0:\n$MBOX\n");
            Peers.chown(rc);
        }
        Peers.Result r = Peers.runWithInput(Peers.asUser("procmail", "-f", "procmail@example.org", "-m", "MBOX=" + box,
                rc.toString()), message(id, "from procmail\n..two dots\n"), 60);
        assertEquals(0, r.status(), r.toString());
    }

    /** Runs a poplib script (the session is in "p", logged in as alice) and returns what it printed. */
    private List<String> poplib(String script) throws IOException {
        Path py = dir.resolve("client.py");
        Files.writeString(py, "import poplib, sys, hashlib\n"
                + "p = poplib.POP3('127.0.0.1', " + port + ", timeout=30)\n"
                + "p.user('alice'); print(p.pass_('open sesame').decode())\n" + script);
        Peers.Result r = Peers.run(List.of("python3", py.toString()), 120);
        assertEquals(0, r.status(), r + "\nserver: " + serverErr());
        return r.out().lines().toList();
    }

    private static final Pattern ID = Pattern.compile("(?im)^Message-ID: <([^>]+)>");

    private static List<String> ids(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = ID.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void pythonsPoplibSeesWhatCClientSeesAndDeletesOnQuit() throws Exception {
        cclientDelivers("c1");
        procmailDelivers("p1");
        cclientDelivers("c2");
        procmailDelivers("p2");
        List<String> out = poplib(""
                + "count, octets = p.stat(); print('stat', count, octets)\n"
                + "for l in p.list()[1]: print('list', l.decode())\n"
                + "for l in p.uidl()[1]: print('uidl', l.decode())\n"
                + "for n in range(1, count + 1):\n"
                + "    lines = p.retr(n)[1]\n"
                + "    print('retr', n, sum(len(l) + 2 for l in lines), '|'.join(l.decode('latin-1') for l in lines))\n"
                + "print('top', '|'.join(l.decode() for l in p.top(1, 0)[1]))\n"
                + "print('top1', '|'.join(l.decode() for l in p.top(2, 1)[1]))\n"
                + "p.dele(1); print(p.rset().decode()); p.dele(1); p.dele(3)\n"
                + "try:\n    p.retr(1)\nexcept poplib.error_proto as e:\n    print('deleted', e)\n"
                + "print(p.quit().decode())\n");
        assertTrue(out.get(0).startsWith("+OK 4 messages"), out.toString());
        assertTrue(out.get(1).startsWith("stat 4 "), out.toString());
        Map<String, String> got = new HashMap<>();
        for (String l : out) {
            String[] w = l.split(" ", 4);
            got.merge(w[0], l.substring(w[0].length()).trim(), (a, b) -> a + "\n" + b);
        }
        List<String> list = got.get("list").lines().toList();
        List<String> uidl = got.get("uidl").lines().toList();
        assertEquals(4, list.size());
        assertEquals(4, uidl.stream().map(l -> l.split(" ")[1]).distinct().count(), "UIDLs are unique: " + uidl);
        long total = 0;
        List<String> retr = got.get("retr").lines().toList();
        for (int n = 1; n <= 4; n++) {
            String[] r = retr.get(n - 1).split(" ", 3);
            String size = list.get(n - 1).split(" ")[1];
            assertEquals(size, r[1], "message " + n + ": LIST's size is the octets RETR sent");
            total += Long.parseLong(size);
        }
        assertEquals("stat 4 " + total, out.get(1));
        // the bytes as delivered (status headers hidden, as c-client hides them); dot-stuffing undone by poplib
        assertEquals("From: peer@example.org|Subject: c1|Message-ID: <c1@pop3>||from c-client|.a line with a leading dot",
                retr.get(0).split(" ", 3)[2]);
        assertTrue(retr.get(1).endsWith("||from procmail|..two dots"), retr.get(1));
        assertEquals("From: peer@example.org|Subject: c1|Message-ID: <c1@pop3>|", got.get("top"));
        assertTrue(got.get("top1").endsWith("<p1@pop3>||from procmail"), got.get("top1"));
        assertTrue(got.get("deleted").contains("-ERR"), got.toString());
        assertTrue(out.get(out.size() - 1).startsWith("+OK 2 deleted"), out.toString());
        // c-client and Python agree: messages 1 and 3 are gone
        assertEquals(List.of("p1@pop3", "p2@pop3"), Peers.pythonIds(box).stream().map(s -> s.replaceAll("[<>]", "")).toList());
        assertEquals(2, Peers.cclientCount(box));
        // UIDs are stable across sessions (c-client's X-UID, written by the first session)
        List<String> again = poplib("for l in p.uidl()[1]: print(l.decode())\np.quit()\n");
        assertEquals(List.of(uidl.get(1).split(" ")[1], uidl.get(3).split(" ")[1]),
                again.subList(1, 3).stream().map(l -> l.split(" ")[1]).toList());
    }

    /** A poplib session driven step by step: each line the test sends lets the script go on to its next step. */
    private final class Interactive implements AutoCloseable {
        final Process client;
        final BufferedReader said;

        Interactive(String script) throws IOException {
            Path py = dir.resolve("interactive.py");
            Files.writeString(py, "import poplib, sys\n"
                    + "p = poplib.POP3('127.0.0.1', " + port + ", timeout=60)\n"
                    + "p.user('alice'); print(p.pass_('open sesame').decode(), flush=True)\n"
                    + "def step():\n    sys.stdin.readline()\n" + script);
            client = new ProcessBuilder("python3", py.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            said = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        }

        String line() throws IOException {
            return said.readLine();
        }

        void step() throws IOException {
            client.getOutputStream().write('\n');
            client.getOutputStream().flush();
        }

        @Override
        public void close() throws InterruptedException {
            if (!client.waitFor(30, TimeUnit.SECONDS)) {
                client.destroyForcibly();
            }
        }
    }

    @Test
    void aSessionSeesTheMailboxAsAtLoginWhileOthersDeliver() throws Exception {
        cclientDelivers("c1");
        try (Interactive s = new Interactive("print('before', p.stat()[0], flush=True); step()\n"
                + "print('after', p.stat()[0]); p.dele(1); print(p.quit().decode())\n")) {
            assertTrue(s.line().startsWith("+OK 1 messages"));
            assertEquals("before 1", s.line());
            // the session holds the mailbox read-write; c-client and procmail still deliver (appends need no session)
            procmailDelivers("p1");
            cclientDelivers("c2");
            s.step();
            assertEquals("after 1", s.line());
            assertTrue(s.line().startsWith("+OK 1 deleted"));
        }
        List<String> next = poplib("print('count', p.stat()[0])\nfor n in (1, 2):\n"
                + "    print('id', [l.decode() for l in p.top(n, 0)[1] if l.startswith(b'Message-ID')][0])\np.quit()\n");
        assertEquals(List.of("+OK 2 messages", "count 2", "id Message-ID: <p1@pop3>", "id Message-ID: <c2@pop3>"), next);
    }

    /** fetchmail polls again and again while c-client and procmail deliver: every message fetched exactly once. */
    @Test
    void fetchmailFetchesEveryMessageOnceWhileOthersDeliver() throws Exception {
        Path fetched = dir.resolve("fetched");
        Files.write(fetched, new byte[0]);
        Peers.chown(fetched);
        Path rc = dir.resolve("fetchmailrc");
        Files.writeString(rc, "set no syslog\npoll 127.0.0.1 protocol pop3 port " + port + " user \"alice\" there"
                + " with password \"open sesame\" is \"spooltest\" here options fetchall nokeep sslproto ''"
                + " mda \"/bin/sh -c 'cat >> " + fetched + "'\"\n");
        Peers.chown(rc);
        Peers.run(List.of("chmod", "0600", rc.toString()), 10);
        List<String> delivered = new ArrayList<>();
        Thread deliveries = new Thread(() -> {
            try {
                for (int i = 1; i <= 8; i++) {
                    cclientDelivers("c" + i);
                    procmailDelivers("p" + i);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        for (int i = 1; i <= 8; i++) {
            delivered.add("c" + i + "@pop3");
            delivered.add("p" + i + "@pop3");
        }
        deliveries.start();
        int polls = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        Peers.Result r = null;
        while (deliveries.isAlive() || Peers.cclientCount(box) > 0) {
            // fetchmail's exit 1 is "no mail": both are fine here
            r = Peers.run(Peers.asUser("env", "HOME=" + Peers.HOME, "fetchmail", "-f", rc.toString(),
                    "--nodetach", "--pidfile", dir.resolve("fetchmail.pid").toString()), 120);
            assertTrue(r.status() == 0 || r.status() == 1, r + "\nserver: " + serverErr());
            polls++;
            assertTrue(System.nanoTime() < deadline, "fetchmail did not empty the mailbox within 3 minutes: " + r);
            if (r.status() == 1) {
                Thread.sleep(200); // no mail this time
            }
        }
        deliveries.join();
        List<String> got = ids(Files.readString(fetched, StandardCharsets.ISO_8859_1));
        assertEquals(delivered.stream().sorted().toList(), got.stream().sorted().toList(),
                "each delivered message fetched exactly once (" + polls + " polls)");
        assertEquals(0, Peers.cclientCount(box));
    }

    @Test
    void curlListsAndRetrieves() throws Exception {
        cclientDelivers("c1");
        procmailDelivers("p1");
        String url = "pop3://127.0.0.1:" + port + "/";
        Peers.Result list = Peers.run(List.of("curl", "-sS", "--user", "alice:open sesame", url), 60);
        assertEquals(0, list.status(), list.toString());
        List<String> lines = list.out().lines().toList();
        assertEquals(2, lines.size(), list.out());
        assertTrue(lines.get(0).matches("1 \\d+") && lines.get(1).matches("2 \\d+"), lines.toString());
        Peers.Result two = Peers.run(List.of("curl", "-sS", "--user", "alice:open sesame", url + "2"), 60);
        assertEquals(0, two.status(), two.toString());
        assertEquals(List.of("p1@pop3"), ids(two.out()));
        assertEquals(Integer.parseInt(lines.get(1).split(" ")[1]), two.out().getBytes(StandardCharsets.ISO_8859_1).length,
                "curl got LIST's octets");
        Peers.Result bad = Peers.run(List.of("curl", "-sS", "--user", "alice:wrong", url), 60);
        assertTrue(bad.status() != 0, "a wrong password is refused: " + bad);
        assertEquals(2, Peers.cclientCount(box), "nothing deleted");
    }

    /**
     * As ipop3d: a session idle for longer than its policy gives the mailbox to c-client's kiss of death, and
     * its client is told at its next command; what it had marked deleted stays.
     */
    @Test
    void cclientsKissOfDeathTakesTheMailboxFromAnIdleSession() throws Exception {
        cclientDelivers("c1");
        cclientDelivers("c2");
        try (Interactive s = new Interactive("p.dele(1); print('dele', flush=True); step()\n"
                + "try:\n    print(p.noop().decode())\nexcept poplib.error_proto as e:\n    print('told', e)\n")) {
            assertTrue(s.line().startsWith("+OK 2 messages"));
            assertEquals("dele", s.line());
            Thread.sleep((KISS_IDLE_SECONDS + 1) * 1000L);
            // c-client opens read-write: it finds our session lock, sends SIGUSR2, and gets the mailbox
            try (Peers.Holder c = new Peers.Holder(Peers.cclientOpen(box, "ignore"), false)) {
                assertTrue(c.awaitOutput("read-", 30), "c-client did not open");
                assertTrue(c.awaitOutput("read-write", 1), "c-client got the mailbox read-write: " + c.stderr()
                        + "\nserver: " + serverErr());
            }
            s.step();
            String told = s.line();
            assertTrue(told.startsWith("told") && told.contains("kiss of death"), told);
        }
        assertEquals(2, Peers.cclientCount(box), "the idle session's DELE was not carried out");
    }
}
