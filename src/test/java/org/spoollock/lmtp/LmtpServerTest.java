package org.spoollock.lmtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.lock.MailboxLock;
import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.Drivers;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

class LmtpServerTest {
    @TempDir
    Path dir;
    LmtpServer server;
    SocketAddress address;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    private LmtpConfig config(UnaryOperator<LmtpConfig> change) {
        LmtpConfig c = new LmtpConfig(List.of(Listen.parse("127.0.0.1:0")), dir + "/%u", null, Users.ANY, 1 << 20, 50,
                Duration.ofSeconds(60), Duration.ZERO, dir, "test.example",
                StoreOptions.defaults().withTimeout(Duration.ofSeconds(10))
                        .withSession(SessionLockOptions.defaults().withDirectory(dir)));
        return change.apply(c);
    }

    private void start(UnaryOperator<LmtpConfig> change) throws Exception {
        server = LmtpServer.start(config(change), new PrintStream(log, true, StandardCharsets.UTF_8));
        InetSocketAddress a = (InetSocketAddress) server.boundAddress(0);
        address = new InetSocketAddress("127.0.0.1", a.getPort());
    }

    private static LmtpConfig with(LmtpConfig c, long maxSize, int maxConnections, Duration idle, Users users,
                                   StoreOptions store) {
        return new LmtpConfig(c.listen(), c.mailboxTemplate(), c.format(), users, maxSize, maxConnections, idle,
                c.statsEvery(), c.spillDirectory(), c.hostname(), store);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
    }

    private LmtpClient client() throws Exception {
        LmtpClient c = new LmtpClient(address);
        LmtpClient.expect("220", c.reply());
        LmtpClient.expect("250", c.command("LHLO client.example"));
        return c;
    }

    private List<String> messages(String user) throws Exception {
        List<String> out = new ArrayList<>();
        Path p = dir.resolve(user);
        if (!Files.exists(p)) {
            return out;
        }
        try (Mailbox m = Drivers.open(MailboxRef.of(p), false, StoreOptions.defaults().withSession(
                SessionLockOptions.defaults().withDirectory(dir)))) {
            for (int n = 1; n <= m.index().count(); n++) {
                out.add(new String(m.content(n), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    /** With {@code --format maildir}, a recipient's Maildir is made on first delivery and each message is one file in new/. */
    @Test
    void deliversIntoMaildirs() throws Exception {
        start(c -> new LmtpConfig(c.listen(), dir + "/%u/Maildir", "maildir", c.users(), c.maxSize(), c.maxConnections(),
                c.idleTimeout(), c.statsEvery(), c.spillDirectory(), c.hostname(), c.store()));
        Files.createDirectories(dir.resolve("dora"));
        try (LmtpClient c = client()) {
            List<String> r = c.transaction("s@x", List.of("dora@x"), "Subject: one\r\n\r\nbody\r\n");
            assertTrue(r.get(r.size() - 1).startsWith("250"), r.toString());
            r = c.transaction("s@x", List.of("dora@x"), "Subject: two\r\n\r\nbody\r\n");
            assertTrue(r.get(r.size() - 1).startsWith("250"), r.toString());
        }
        try (Mailbox m = Drivers.open(MailboxRef.of(dir.resolve("dora/Maildir")), false, StoreOptions.defaults())) {
            assertEquals("maildir", m.driver().name());
            assertEquals(2, m.index().count());
            assertTrue(new String(m.content(2), StandardCharsets.ISO_8859_1).contains("Subject: two\n"));
            assertTrue(m.index().uid(2) > m.index().uid(1));
        }
        try (var s = Files.list(dir.resolve("dora/Maildir/new"))) {
            assertEquals(2, s.count());
        }
    }

    /**
     * The service guards its spool: a delivery killed half-way in another process (here: its note, its
     * half message and a dot-lock naming a PID that is gone) is cut out within seconds, with no
     * spoollock process coming by, and the service logs it.
     */
    @Test
    void theServicesGuardianFinishesAKilledWritersWorkInItsSpool() throws Exception {
        Path box = dir.resolve("carol");
        StoreOptions store = StoreOptions.defaults().withTimeout(Duration.ofSeconds(10))
                .withSession(SessionLockOptions.defaults().withDirectory(dir));
        Drivers.append(MailboxRef.of(box), List.of(org.spoollock.store.NewMessage.of(
                "Subject: one\n\nbody\n".getBytes(StandardCharsets.ISO_8859_1), java.time.ZonedDateTime.now())), true, store);
        byte[] before = Files.readAllBytes(box);
        org.spoollock.posix.Faults.arm("append.partial:crash");
        try {
            Drivers.append(MailboxRef.of(box), List.of(org.spoollock.store.NewMessage.of(
                    ("Subject: big\n\n" + "b\n".repeat(5000)).getBytes(StandardCharsets.ISO_8859_1),
                    java.time.ZonedDateTime.now())), true, store);
        } catch (org.spoollock.posix.Faults.InjectedCrash expected) {
            // the write stopped half-way, as a kill would stop it
        } finally {
            org.spoollock.posix.Faults.arm("");
        }
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        org.spoollock.posix.Posix posix = org.spoollock.posix.Posix.get();
        Files.write(Path.of(box + ".lock"), new org.spoollock.lock.LockHolder(org.spoollock.lock.LockHolder.Format.SPOOLLOCK,
                gone.pid(), posix.hostname(), java.util.OptionalLong.empty(), posix.bootId()).render("t"));
        assertTrue(Files.size(box) > before.length);
        start(c -> new LmtpConfig(c.listen(), c.mailboxTemplate(), c.format(), c.users(), c.maxSize(), c.maxConnections(),
                c.idleTimeout(), c.statsEvery(), c.spillDirectory(), c.hostname(), c.store(), List.of(dir)));
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (Files.exists(Path.of(box + ".lock")) && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertArrayEquals(before, Files.readAllBytes(box), "the half message is cut out within 5 s");
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(" guard finished mailbox=" + box), text);
        server.stop(Duration.ofSeconds(5));
        server = null;
        assertTrue(log.toString(StandardCharsets.UTF_8).contains(" guard guard_stopped finished=1"), log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMessageIsDeliveredAsDeliverWritesItAndAnsweredOnceStored() throws Exception {
        start(c -> c);
        String text = "Subject: hello\nFrom: a@example.org\n\n.a line that began with a dot\nFrom me, quoted\nlast\n";
        try (LmtpClient c = new LmtpClient(address)) {
            assertTrue(c.reply().startsWith("220 test.example"));
            String lhlo = c.command("LHLO client.example");
            for (String ext : List.of("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SIZE 1048576")) {
                assertTrue(lhlo.contains("250-" + ext) || lhlo.contains("250 " + ext), lhlo);
            }
            List<String> r = c.transaction("sender@example.org", List.of("Alice@Example.org"), text);
            assertEquals(1, r.size());
            assertTrue(r.get(0).startsWith("250 2.0.0 "), r.get(0));
            assertTrue(c.command("QUIT").startsWith("221 2.0.0"));
        }
        // the local part lower-cased; CRLF made LF; dot-unstuffed; the From_ line from MAIL FROM
        assertEquals(List.of(text.replace("\nFrom me", "\n>From me")), messages("alice"), "as c-client reads it back");
        String raw = Files.readString(dir.resolve("alice"), StandardCharsets.ISO_8859_1);
        assertTrue(raw.startsWith("From sender@example.org "), raw);
        assertTrue(raw.contains("\n>From me, quoted\n"), "mboxo quoting as deliver: " + raw);
        assertTrue(log.toString().contains("lmtp delivered "), log.toString());
    }

    @Test
    void eachRecipientIsAnsweredInOrderAndUnsafeLocalPartsCreateNothing() throws Exception {
        start(c -> c);
        try (LmtpClient c = client()) {
            LmtpClient.expect("250", c.command("MAIL FROM:<>"));
            LmtpClient.expect("250", c.command("RCPT TO:<alice@x>"));
            for (String bad : List.of("../etc@x", ".profile@x", "a/b@x", "a..b@x", "\"a b\"@x", "x".repeat(65) + "@x",
                    "ok@../../etc", "ok@x/y")) {
                String r = c.command("RCPT TO:<" + bad + ">");
                assertTrue(r.startsWith("550 5.1.3 "), bad + ": " + r);
            }
            LmtpClient.expect("550", c.command("RCPT TO:<a\u0001b@x>"));
            LmtpClient.expect("250", c.command("RCPT TO:<bob@x>"));
            LmtpClient.expect("354", c.command("DATA"));
            c.send("Subject: both\r\n\r\nbody\r\n.\r\n");
            assertTrue(c.reply().startsWith("250 2.0.0 <alice@x>"));
            assertTrue(c.reply().startsWith("250 2.0.0 <bob@x>"));
        }
        try (var s = Files.list(dir)) {
            Set<String> names = new HashSet<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            names.removeIf(n -> n.startsWith(".") || n.startsWith("lmtp-"));
            assertEquals(Set.of("alice", "bob"), names, "nothing else was created");
        }
        assertTrue(messages("alice").get(0).startsWith("Subject: both"));
        String raw = Files.readString(dir.resolve("alice"), StandardCharsets.ISO_8859_1);
        assertTrue(raw.startsWith("From MAILER-DAEMON "), "a bounce's null sender: " + raw);
    }

    @Test
    void systemUsersOnlyWithUsersPasswd() throws Exception {
        start(c -> with(c, c.maxSize(), c.maxConnections(), c.idleTimeout(), Users.PASSWD, c.store()));
        try (LmtpClient c = client()) {
            LmtpClient.expect("250", c.command("MAIL FROM:<s@x>"));
            assertTrue(c.command("RCPT TO:<no-such-user-here-42@x>").startsWith("550 5.1.1 "));
            assertTrue(c.command("RCPT TO:<root@x>").startsWith("250 2.1.5"));
        }
    }

    /** As root (CI runs so), a mailbox created for a system user is that user's, mode 0600, from the start. */
    @Test
    void asRootANewMailboxBelongsToItsUser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.spoollock.posix.Posix.get().geteuid() == 0, "needs root");
        org.spoollock.posix.Posix.User nobody = org.spoollock.posix.Posix.get().user("nobody");
        start(c -> with(c, c.maxSize(), c.maxConnections(), c.idleTimeout(), Users.PASSWD, c.store()));
        try (LmtpClient c = client()) {
            LmtpClient.expect("250 2.0.0", c.transaction("s@x", List.of("nobody@x"), "Subject: yours\n\nx\n").get(0));
        }
        org.spoollock.posix.Stat st = org.spoollock.posix.Posix.get().lstat(dir.resolve("nobody").toString());
        assertEquals(nobody.uid(), st.uid());
        assertEquals(nobody.gid(), st.gid(), "the user's group: this spool directory is not group-writable");
        assertEquals(0600, st.mode() & 07777);
        assertEquals(1, messages("nobody").size());
    }

    @Test
    void aMessageOverTheLimitIsRefusedAfterItsDataAndNothingIsWritten() throws Exception {
        start(c -> with(c, 1000, c.maxConnections(), c.idleTimeout(), c.users(), c.store()));
        try (LmtpClient c = client()) {
            assertTrue(c.command("MAIL FROM:<s@x> SIZE=5000").startsWith("552 5.3.4 "));
            LmtpClient.expect("250", c.command("MAIL FROM:<s@x> SIZE=500 BODY=8BITMIME"));
            LmtpClient.expect("250", c.command("RCPT TO:<alice@x>"));
            LmtpClient.expect("250", c.command("RCPT TO:<bob@x>"));
            LmtpClient.expect("354", c.command("DATA"));
            c.send("Subject: big\r\n\r\n" + "0123456789\r\n".repeat(500) + ".\r\n");
            assertTrue(c.reply().startsWith("552 5.3.4 "));
            assertTrue(c.reply().startsWith("552 5.3.4 "));
            // the connection goes on
            assertEquals(List.of("250 2.0.0 <alice@x> delivered to " + dir.resolve("alice")),
                    c.transaction("s@x", List.of("alice@x"), "Subject: small\n\nok\n"));
        }
        assertEquals(1, messages("alice").size());
        assertFalse(Files.exists(dir.resolve("bob")));
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        start(c -> c);
        try (LmtpClient c = new LmtpClient(address)) {
            LmtpClient.expect("220", c.reply());
            c.send("LHLO p\r\nMAIL FROM:<s@x>\r\nRCPT TO:<alice@x>\r\nRCPT TO:<../x@x>\r\nRCPT TO:<bob@x>\r\nDATA\r\n");
            assertTrue(c.reply().startsWith("250-test.example"));
            LmtpClient.expect("250 2.1.0", c.reply());
            LmtpClient.expect("250 2.1.5", c.reply());
            LmtpClient.expect("550 5.1.3", c.reply());
            LmtpClient.expect("250 2.1.5", c.reply());
            LmtpClient.expect("354", c.reply());
            c.send("Subject: p\r\n\r\n..x\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n");
            LmtpClient.expect("250 2.0.0 <alice@x>", c.reply());
            LmtpClient.expect("250 2.0.0 <bob@x>", c.reply());
            LmtpClient.expect("250 2.0.0", c.reply());
            LmtpClient.expect("250 2.0.0", c.reply());
            LmtpClient.expect("221 2.0.0", c.reply());
            assertNull(c.reply(), "closed after QUIT");
        }
        assertEquals(List.of("Subject: p\n\n.x\n"), messages("alice"));
    }

    @Test
    void aClientThatGoesAwayMidDataLeavesNothing() throws Exception {
        start(c -> c);
        try (LmtpClient c = client()) {
            LmtpClient.expect("250", c.command("MAIL FROM:<s@x>"));
            LmtpClient.expect("250", c.command("RCPT TO:<alice@x>"));
            LmtpClient.expect("354", c.command("DATA"));
            c.send("Subject: cut\r\n\r\nhalf a mess");
            c.shutdownOutput();
            assertNull(c.reply(), "the server closes without a reply");
        }
        try (LmtpClient c = client()) {
            assertEquals(1, c.transaction("s@x", List.of("bob@x"), "Subject: next\n\nok\n").size());
        }
        assertFalse(Files.exists(dir.resolve("alice")), "nothing of the cut message");
        assertEquals(1, messages("bob").size());
    }

    @Test
    void aLockTimeoutIsATemporaryFailureWithNothingLeft() throws Exception {
        start(c -> with(c, c.maxSize(), c.maxConnections(), c.idleTimeout(), c.users(),
                c.store().withTimeout(Duration.ofSeconds(1))));
        Path alice = dir.resolve("alice");
        Files.writeString(alice, "");
        try (MailboxLock held = MailboxLock.acquire(alice, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(5),
                MailboxLockOptions.defaults()); LmtpClient c = client()) {
            List<String> r = c.transaction("s@x", List.of("alice@x"), "Subject: wait\n\nx\n");
            assertTrue(r.get(0).startsWith("451 4.3.0 <alice@x> try again later: "), r.get(0));
        }
        assertEquals(0, Files.size(alice));
    }

    @Test
    void concurrentConnectionsShareAppendsAndEveryMessageArrivesOnce() throws Exception {
        start(c -> c);
        int connections = 8;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < connections; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    try (LmtpClient c = client()) {
                        for (int i = 0; i < each; i++) {
                            List<String> r = c.transaction("s@x", List.of("alice@x"),
                                    "Message-ID: <" + id + "." + i + "@t>\n\nbody\n");
                            LmtpClient.expect("250 2.0.0", r.get(0));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> got = messages("alice");
        assertEquals(connections * each, got.size());
        assertEquals(connections * each, new HashSet<>(got).size());
    }

    @Test
    void aLargeMessageWithLongLinesArrivesWhole() throws Exception {
        start(c -> with(c, 64 << 20, c.maxConnections(), c.idleTimeout(), c.users(), c.store()));
        StringBuilder text = new StringBuilder("Subject: large\n\n");
        text.append("x".repeat(200_000)).append('\n');
        while (text.length() < MessageData.SPILL_AT + (1 << 20)) {
            text.append("line ").append(text.length()).append(" .dots. and text to fill the message up\n");
        }
        try (LmtpClient c = client()) {
            LmtpClient.expect("250 2.0.0", c.transaction("s@x", List.of("alice@x"), text.toString()).get(0));
        }
        assertEquals(List.of(text.toString()), messages("alice"));
        try (var s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("lmtp-")), "the spill file was removed");
        }
    }

    @Test
    void protocolErrorsAreAnsweredAndTheConnectionGoesOn() throws Exception {
        start(c -> c);
        try (LmtpClient c = new LmtpClient(address)) {
            LmtpClient.expect("220", c.reply());
            LmtpClient.expect("500 5.5.1", c.command("HELO x"));
            LmtpClient.expect("503 5.5.1", c.command("MAIL FROM:<s@x>"));
            LmtpClient.expect("250", c.command("LHLO x"));
            LmtpClient.expect("503 5.5.1", c.command("RCPT TO:<a@x>"));
            LmtpClient.expect("503 5.5.1", c.command("DATA"));
            LmtpClient.expect("553 5.1.7", c.command("MAIL FROM:<a b@x>"));
            LmtpClient.expect("501 5.5.4", c.command("MAIL FROM:nobrackets"));
            LmtpClient.expect("555 5.5.4", c.command("MAIL FROM:<s@x> AUTH=<>"));
            LmtpClient.expect("500 5.5.2", c.command("NOOP " + "x".repeat(5000)));
            LmtpClient.expect("500 5.5.1", c.command("BOGUS"));
            LmtpClient.expect("250", c.command("MAIL FROM:<s@x>"));
            LmtpClient.expect("503 5.5.1", c.command("MAIL FROM:<s@x>"));
            LmtpClient.expect("554 5.5.1", c.command("DATA"));
            LmtpClient.expect("250", c.command("RCPT TO:<alice@x>"));
            LmtpClient.expect("354", c.command("DATA"));
            c.send(".\r\n");
            LmtpClient.expect("554 5.6.0", c.reply());
            LmtpClient.expect("250", c.command("NOOP"));
        }
        assertFalse(Files.exists(dir.resolve("alice")));
    }

    @Test
    void connectionsOverTheLimitAndIdleOnesAreToldWhyAndClosed() throws Exception {
        start(c -> with(c, c.maxSize(), 1, Duration.ofSeconds(1), c.users(), c.store()));
        try (LmtpClient first = client(); LmtpClient second = new LmtpClient(address)) {
            assertTrue(second.reply().startsWith("421 4.3.2 too many connections"));
            assertNull(second.reply());
            String r = first.reply(); // silent for over a second
            assertTrue(r.startsWith("421 4.4.2"), r);
            assertNull(first.reply());
        }
    }

    @Test
    void stopFinishesDeliveriesUnderWayAndTellsTheOthers421() throws Exception {
        start(c -> c);
        Path alice = dir.resolve("alice");
        Files.writeString(alice, "");
        LmtpClient idle = client();
        LmtpClient busy = client();
        MailboxLock held = MailboxLock.acquire(alice, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(5),
                MailboxLockOptions.defaults());
        CompletableFuture<List<String>> delivery = CompletableFuture.supplyAsync(() -> {
            try {
                return busy.transaction("s@x", List.of("alice@x"), "Subject: under way\n\nx\n");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300); // its delivery waits for the lock
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(20)));
        String r = idle.reply();
        assertTrue(r.startsWith("421 4.3.2"), r);
        assertFalse(stopping.isDone(), "stop waits for the delivery under way");
        held.release();
        assertTrue(delivery.get(20, TimeUnit.SECONDS).get(0).startsWith("250 2.0.0"));
        assertTrue(busy.reply().startsWith("421 4.3.2"));
        stopping.get(20, TimeUnit.SECONDS);
        server = null;
        assertEquals(1, messages("alice").size());
        idle.close();
        busy.close();
    }
}
