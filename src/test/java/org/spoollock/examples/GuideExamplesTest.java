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

    @Test
    void theGuideShowsExactlyTheCodeThatRuns() throws Exception {
        Path top = Path.of(System.getProperty("spoollock.top", ".")).toAbsolutePath();
        String guide = Files.readString(top.resolve("docs/guide.md"));
        Path src = top.resolve("src/test/java/org/spoollock/examples");
        for (String name : List.of("DeliveryAgent", "ServerSession", "Migration")) {
            String code = Files.readString(src.resolve(name + ".java"));
            int a = code.indexOf("// example: ");
            int b = code.indexOf("// end", a);
            String body = code.substring(code.indexOf('\n', a) + 1, b);
            assertTrue(guide.contains(body), "docs/guide.md does not show " + name + ".java as it is compiled");
        }
    }
}
