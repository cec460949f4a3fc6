package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Real Postfix (Debian's, a private instance: `postfix -c DIR`, its own queue, loopback only) delivering
 * local mail through `mailbox_transport = lmtp:inet:...` to the service: messages submitted with
 * `sendmail` and over SMTP arrive once each in the user's mbox, c-client and Python read them, and
 * Postfix's queue is empty afterwards.
 */
class PostfixLmtpIT {
    private static final Pattern ID = Pattern.compile("(?m)^Message-ID: <([^>@]+)@");

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void mailSubmittedToPostfixArrivesOnceThroughTheService() throws Exception {
        Path dir = Peers.newDir("postfix");
        Path box = dir.resolve(Peers.USER);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        LmtpServer server = LmtpServer.start(new LmtpConfig(List.of(Listen.parse("127.0.0.1:0")), dir + "/%u", null,
                Users.PASSWD, 1 << 20, 32, Duration.ofSeconds(120), Duration.ZERO, dir, "lmtp.it.example",
                StoreOptions.defaults().withTimeout(Duration.ofSeconds(60)).withSession(SessionLockOptions.defaults())),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        Path pf = Files.createTempDirectory("spoollock-postfix");
        Files.setPosixFilePermissions(pf, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path etc = Files.createDirectories(pf.resolve("etc"));
        Files.createDirectories(pf.resolve("queue"));
        Path data = Files.createDirectories(pf.resolve("data"));
        Peers.run(List.of("chown", "postfix", data.toString()), 10);
        int smtp = freePort();
        int lmtp = ((InetSocketAddress) server.boundAddress(0)).getPort();
        Files.writeString(etc.resolve("main.cf"), String.join("\n",
                "compatibility_level = 3.6",
                "queue_directory = " + pf.resolve("queue"),
                "data_directory = " + data,
                "myhostname = it.example", "mydomain = it.example", "myorigin = it.example",
                "mydestination = it.example, localhost",
                "inet_interfaces = 127.0.0.1", "inet_protocols = ipv4",
                "alias_maps =", "alias_database =", "smtputf8_enable = no", "biff = no",
                "mailbox_transport = lmtp:inet:127.0.0.1:" + lmtp,
                "maillog_file = " + pf.resolve("maillog"), "maillog_file_prefixes = " + pf, ""));
        // Debian's master.cf, with smtpd on a loopback port of our own and no chroot (nothing set up for one)
        StringBuilder master = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/etc/postfix/master.cf"))) {
            if (line.matches("^smtp\\s+inet\\s.*")) {
                line = "127.0.0.1:" + smtp + " inet n - n - - smtpd";
            } else if (!line.startsWith("#") && !line.startsWith(" ")) {
                line = line.replaceFirst("^(\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+)y(\\s)", "$1n$2");
            }
            master.append(line).append('\n');
        }
        Files.writeString(etc.resolve("master.cf"), master);
        Peers.Result started = Peers.run(List.of("postfix", "-c", etc.toString(), "start"), 60);
        try {
            assertEquals(0, started.status(), started + "\n" + maillog(pf));
            String to = Peers.USER + "@it.example";
            for (int i = 0; i < 5; i++) {
                Path msg = dir.resolve("msg-" + i);
                Files.writeString(msg, "Subject: sendmail " + i + "\nMessage-ID: <sendmail-" + i + "@it>\n\n.line\nFrom here\n");
                Peers.Result r = Peers.runWithInput(List.of("sendmail", "-C", etc.toString(), "-f", "sender@example.org", to),
                        msg, 60);
                assertEquals(0, r.status(), r.toString());
                Peers.Result s = Peers.run(List.of("swaks", "--server", "127.0.0.1:" + smtp, "--from", "s@example.org",
                        "--to", to, "--header", "Message-ID: <smtp-" + i + "@it>", "--timeout", "60"), 120);
                assertEquals(0, s.status(), s.toString());
            }
            long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (ids(box).size() < 10 && System.nanoTime() < until) {
                Thread.sleep(200);
            }
            Map<String, Integer> seen = ids(box);
            assertEquals(10, seen.size(), "arrived: " + seen + "\n" + maillog(pf) + "\n" + log);
            assertTrue(seen.values().stream().allMatch(n -> n == 1), "once each: " + seen);
            Peers.Result q = Peers.run(List.of("postqueue", "-c", etc.toString(), "-p"), 60);
            assertTrue(q.out().contains("Mail queue is empty"), q + "\n" + maillog(pf));
        } finally {
            Peers.run(List.of("postfix", "-c", etc.toString(), "stop"), 60);
            server.stop(Duration.ofSeconds(30));
        }
        Peers.Result cc = Peers.cclientMbox("list", box);
        assertEquals(0, cc.status(), cc.toString());
        assertEquals("10", cc.out().lines().findFirst().orElseThrow().split(" ")[5], cc.toString());
        Peers.Result py = Peers.run(Peers.asUser("python3", Peers.DIST.resolve("pymbox.py").toString(), "scan",
                box.toString()), 60);
        assertEquals("10", py.out().lines().findFirst().orElseThrow(), py.toString());
        assertTrue(Files.readString(box, StandardCharsets.ISO_8859_1).contains("\n.line\n>From here\n"),
                "dot-unstuffed, From_ quoted as c-client quotes it");
        Peers.run(List.of("rm", "-rf", pf.toString()), 60);
    }

    private static Map<String, Integer> ids(Path box) throws Exception {
        Map<String, Integer> seen = new TreeMap<>();
        if (!Files.exists(box)) {
            return seen;
        }
        Matcher m = ID.matcher(Files.readString(box, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            seen.merge(m.group(1), 1, Integer::sum);
        }
        return seen;
    }

    private static String maillog(Path pf) {
        try {
            List<String> l = new ArrayList<>(Files.readAllLines(pf.resolve("maillog")));
            return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
        } catch (Exception e) {
            return "(no maillog: " + e.getMessage() + ")";
        }
    }
}
