package org.spoollock.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library guide's examples (docs/guide.md) are these classes, compiled and run here. */
class GuideExamplesTest {
    @TempDir
    Path dir;

    private static byte[] msg(int i) {
        return ("From: someone@example.org\nSubject: message " + i + "\nMessage-ID: <" + i + "@guide>\n\nhello " + i + "\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theExamplesRunAsTheGuideSays() throws Exception {
        Path inbox = dir.resolve("inbox");
        DeliveryAgent agent = new DeliveryAgent();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            int n = i;
            done.add(pool.submit(() -> {
                agent.deliver(inbox, msg(n), "sender@example.org");
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        DeliveryAgent.deliverAll(inbox, List.of(msg(9), msg(10)), "sender@example.org");
        try (ServerSession s = new ServerSession(inbox.toString())) {
            List<String> summary = s.summary();
            assertEquals(10, summary.size());
            assertTrue(summary.get(0).matches("1 1 ----- \\d+ Subject: message \\d+"), summary.get(0));
            s.markSeen(List.of(1, 2));
            assertTrue(s.summary().get(1).contains(" S---- "));
            assertEquals(0, s.expunge());
        }
        Path tenex = dir.resolve("inbox.tenex");
        assertTrue(Migration.migrate(inbox, tenex, false));
        try (ServerSession t = new ServerSession("tenex:" + tenex)) {             // the same server code, another format
            assertEquals(10, t.summary().size());
            t.markSeen(List.of(3));
            assertTrue(t.summary().get(2).startsWith("3 3 S---- "), t.summary().get(2));
        }
    }

    /** The POP3 example in this JVM over a plain socket (Pop3ServerIT runs it with real clients and peers). */
    @Test
    void thePop3ServerAnswersAsRfc1939Says() throws Exception {
        Path alice = dir.resolve("alice");
        DeliveryAgent.deliverAll(alice, List.of(msg(1), ("Subject: dots\n\n.leading dot\nlast line without end")
                .getBytes(StandardCharsets.ISO_8859_1)), "sender@example.org");
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "alice:secret\n");
        java.util.Properties props = new java.util.Properties();
        props.setProperty("mail.mbox.sessiondir", dir.toString());
        try (Pop3Server server = new Pop3Server(0, passwd, "mbox:" + dir + "/%u", props);
             java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            var out = s.getOutputStream();
            java.util.function.Function<String, String> say = line -> {
                try {
                    out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    return in.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            assertTrue(in.readLine().startsWith("+OK"));
            assertTrue(say.apply("STAT").startsWith("-ERR"), "nothing before the login");
            assertEquals("+OK", say.apply("USER alice"));
            assertTrue(say.apply("PASS wrong").startsWith("-ERR [AUTH]"));
            say.apply("USER alice");
            assertEquals("+OK 2 messages", say.apply("PASS secret"));
            String stat = say.apply("STAT");
            assertTrue(stat.matches("\\+OK 2 \\d+"), stat);
            assertTrue(say.apply("RETR 3").startsWith("-ERR"));
            assertTrue(say.apply("RETR 2").startsWith("+OK"));
            List<String> lines = new ArrayList<>();
            for (String l; !(l = in.readLine()).equals("."); ) {
                lines.add(l);
            }
            assertEquals(List.of("Subject: dots", "", "..leading dot", "last line without end"), lines, "dot-stuffed, CRLF ended");
            assertEquals("+OK message 1 deleted", say.apply("DELE 1"));
            assertTrue(say.apply("DELE 1").startsWith("-ERR"), "a deleted message is gone for the session");
            assertTrue(say.apply("QUIT").startsWith("+OK 1 deleted"));
        }
        try (ServerSession check = new ServerSession(alice.toString())) {
            assertEquals(1, check.summary().size());
            assertTrue(check.summary().get(0).endsWith("Subject: dots"));
        }
    }

    @Test
    void theGuideShowsExactlyTheCodeThatRuns() throws Exception {
        Path top = Path.of(System.getProperty("spoollock.top", ".")).toAbsolutePath();
        String guide = Files.readString(top.resolve("docs/guide.md"));
        Path src = top.resolve("src/test/java/org/spoollock/examples");
        for (String name : List.of("DeliveryAgent", "ServerSession", "Migration", "Pop3Server")) {
            String code = Files.readString(src.resolve(name + ".java"));
            int a = code.indexOf("// example: ");
            int b = code.indexOf("// end", a);
            String body = code.substring(code.indexOf('\n', a) + 1, b);
            assertTrue(guide.contains(body), "docs/guide.md does not show " + name + ".java as it is compiled");
        }
    }
}
