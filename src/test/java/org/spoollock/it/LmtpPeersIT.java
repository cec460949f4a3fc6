package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.spoollock.lmtp.Listen;
import org.spoollock.lmtp.LmtpConfig;
import org.spoollock.lmtp.LmtpServer;
import org.spoollock.lmtp.Users;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.StoreOptions;

/**
 * The LMTP service against real clients and peers: swaks and Python's smtplib.LMTP get every reply
 * the service documents; LMTP connections deliver while c-client, procmail and `spoollock deliver`
 * append to the same mailbox; the service killed with -9 under load loses nothing it acknowledged.
 * c-client, Python and we then agree on what the mailbox holds.
 */
class LmtpPeersIT {
    private static final Pattern ID = Pattern.compile("(?m)^Message-ID: <([^>@]+)@");

    /** The service in this JVM, as root, for system users, mailboxes under the test user's home. */
    private static LmtpServer start(Path dir, long maxSize, ByteArrayOutputStream log) throws Exception {
        StoreOptions store = StoreOptions.defaults().withTimeout(Duration.ofSeconds(60))
                .withSession(SessionLockOptions.defaults());
        LmtpConfig c = new LmtpConfig(List.of(Listen.parse("127.0.0.1:0")), dir + "/%u", null, Users.PASSWD, maxSize, 64,
                Duration.ofSeconds(120), Duration.ZERO, dir, "it.example", store);
        return LmtpServer.start(c, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private static int port(LmtpServer s) throws Exception {
        return ((InetSocketAddress) s.boundAddress(0)).getPort();
    }

    private static Peers.Result swaks(int port, String to, String... more) {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--protocol", "LMTP", "--server", "127.0.0.1:" + port,
                "--from", "sender@example.org", "--to", to, "--helo", "swaks.example", "--timeout", "60"));
        cmd.addAll(List.of(more));
        return Peers.run(cmd, 120);
    }

    /** The reply after DATA's final dot in swaks' transcript (the line after " -> ."). */
    private static String dataReply(Peers.Result r) {
        List<String> lines = r.out().lines().toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).trim().equals("-> .")) {
                return lines.get(i + 1).replaceFirst("^(<-|<\\*\\*)\\s+", "");
            }
        }
        return "(no DATA reply) " + r;
    }

    /** Message-ID local parts in the mailbox, counted. */
    private static Map<String, Integer> ids(Path box) throws Exception {
        Map<String, Integer> seen = new TreeMap<>();
        Matcher m = ID.matcher(Files.readString(box, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            seen.merge(m.group(1), 1, Integer::sum);
        }
        return seen;
    }

    /** c-client's, Python's and our counts of {@code box}, which must agree; returns it. */
    private static int agreedCount(Path box) {
        Peers.Result ours = Peers.run(Peers.asUser(Peers.ours("count", box.toString())), 60);
        assertEquals(0, ours.status(), ours.toString());
        Peers.Result cc = Peers.cclientMbox("list", box);
        assertEquals(0, cc.status(), cc.toString());
        Peers.Result py = Peers.run(Peers.asUser("python3", Peers.DIST.resolve("pymbox.py").toString(), "scan",
                box.toString()), 60);
        int n = Integer.parseInt(ours.out().trim());
        assertEquals(String.valueOf(n), cc.out().lines().findFirst().orElseThrow().split(" ")[5], "c-client: " + cc);
        assertEquals(String.valueOf(n), py.out().lines().findFirst().orElseThrow(), "Python: " + py);
        Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", box.toString())), 60);
        assertEquals(0, check.status(), check.toString());
        return n;
    }

    @Test
    void swaksAndPythonGetEveryDocumentedReplyAndThePeersReadTheResult() throws Exception {
        Path dir = Peers.newDir("lmtp-replies");
        Path box = dir.resolve(Peers.USER);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        LmtpServer server = start(dir, 64 * 1024, log);
        try {
            int port = port(server);
            String to = Peers.USER + "@example.org";
            Peers.Result ok = swaks(port, to, "--header", "Message-ID: <swaks-1@it>", "--body", "one\n.two\n");
            assertTrue(dataReply(ok).startsWith("250 2.0.0 <" + to + "> delivered"), ok.toString());
            assertTrue(swaks(port, "no-such-user-4711@example.org").out().contains("<** 550 5.1.1"));
            assertTrue(swaks(port, "../" + Peers.USER + "@example.org").out().contains("<** 550 5.1.3"));
            assertTrue(swaks(port, ".hidden@example.org").out().contains("<** 550 5.1.3"));
            Peers.Result big = swaks(port, to, "--header", "Message-ID: <swaks-big@it>", "--body",
                    "0123456789abcdef\n".repeat(5000));
            assertTrue(dataReply(big).startsWith("552 5.3.4"), big.toString());
            Peers.Result piped = swaks(port, to, "--pipeline", "--header", "Message-ID: <swaks-2@it>");
            assertTrue(piped.out().contains("PIPELINING"), piped.toString());
            assertTrue(dataReply(piped).startsWith("250 2.0.0"), piped.toString());
            // many recipients in one transaction, mixed outcomes: one reply per accepted recipient after DATA
            Peers.Result mixed = Peers.run(List.of("python3", Peers.DIST.resolve("lmtpclient.py").toString(), "mixed",
                    String.valueOf(port), to, "nobody-here-99@example.org", "a/b@example.org", Peers.USER + "@other.example"), 60);
            List<String> r = mixed.out().lines().toList();
            assertEquals(List.of("250", "250", "550", "550", "250", "354", "250", "250", "221"),
                    r.stream().map(l -> l.substring(0, 3)).toList(), mixed.toString());
            assertTrue(r.get(6).contains("<" + to + ">") && r.get(7).contains("@other.example>"), mixed.toString());
            // a client that goes away mid-DATA leaves nothing
            Peers.Result cut = Peers.run(List.of("python3", Peers.DIST.resolve("lmtpclient.py").toString(), "cut",
                    String.valueOf(port), to), 60);
            assertTrue(cut.out().startsWith("354"), cut.toString());
            // Python's smtplib.LMTP, several messages on one connection
            Path acks = dir.resolve("acks");
            Peers.Result py = Peers.run(List.of("python3", Peers.DIST.resolve("lmtpclient.py").toString(), "send",
                    String.valueOf(port), "5", "py", to, acks.toString()), 120);
            assertEquals(0, py.status(), py.toString());
        } finally {
            server.stop(Duration.ofSeconds(30));
        }
        Map<String, Integer> seen = ids(box);
        assertEquals(Map.of("mixed", 2, "py-0", 1, "py-1", 1, "py-2", 1, "py-3", 1, "py-4", 1, "swaks-1", 1,
                "swaks-2", 1), seen, "the mixed transaction's message once here (its second copy went to the same"
                + " user's mailbox: both recipients are " + Peers.USER + "), nothing of the big or the cut one");
        assertFalse(Files.readString(box, StandardCharsets.ISO_8859_1).contains("Subject: cut"));
        org.spoollock.posix.Stat st = org.spoollock.posix.Posix.get().lstat(box.toString());
        assertEquals(org.spoollock.posix.Posix.get().user(Peers.USER).uid(), st.uid(), "created for its user");
        assertEquals(0600, st.mode() & 07777);
        assertEquals(9, agreedCount(box), "two copies of the mixed message");
    }
}
