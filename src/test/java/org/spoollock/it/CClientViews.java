package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.Drivers;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

/** What the c-client format tests (mbx, mix) compare: c-client's listing and ours in its columns, and a source mbox. */
final class CClientViews {
    private CClientViews() {
    }

    static void ok(Peers.Result r) {
        assertEquals(0, r.status(), r.toString());
    }

    /** The path as c-client takes names: relative to the test user's home. */
    static String rel(Path p) {
        return Peers.HOME.relativize(p).toString();
    }

    /**
     * c-client's listing: its first line ("uidvalidity V uidnext N nmsgs K driver D", checked to name
     * {@code driver}), its keyword line, then "msgno uid flags size keywords date" per message.
     */
    static List<String> cclientList(Path box, String driver) {
        Peers.Result r = Peers.cclientMbox("list", box);
        ok(r);
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).endsWith("driver " + driver), "c-client opened it with its " + driver + " driver: "
                + lines.get(0));
        return lines;
    }

    /** Ours (list --long, as the test user) in c-client's columns, the date as c-client's mail_date prints it. */
    static List<String> ourList(Path box) {
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("list", "--long", box.toString())), 60);
        ok(r);
        java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter.ofPattern("ppd-MMM-yyyy HH:mm:ss xx",
                java.util.Locale.ROOT);
        List<String> out = new ArrayList<>();
        for (String l : r.out().lines().toList()) {
            String[] w = l.split(" ");
            String date = f.format(java.time.OffsetDateTime.parse(w[5])).replace(' ', '_');
            out.add(w[0] + " " + w[1] + " " + w[2] + " " + w[3] + " " + w[4] + " " + date);
        }
        return out;
    }

    /** An mbox of n messages (From_ and >From lines in bodies, 8-bit, growing bodies) delivered by us as the test user. */
    static Path source(Path dir, int n, String tag) throws Exception {
        Path src = dir.resolve("src");
        for (int i = 1; i <= n; i++) {
            Path m = dir.resolve("msg" + i);
            Files.writeString(m, "Message-ID: <" + i + "@" + tag + ">\r\nSubject: message " + i + " \u00e9t\u00e9\r\n"
                    + "Date: Mon, 2 Nov 2026 05:03:22 -0700\r\n\r\nbody " + i + "\r\nFrom the middle\r\n>From quoted\r\n"
                    + "x".repeat(i * 37) + "\r\n", StandardCharsets.ISO_8859_1);
            Peers.chown(m);
            ok(Peers.runWithInput(Peers.asUser(Peers.ours("deliver", src.toString())), m, 60));
        }
        return src;
    }

    /**
     * Deliveries into {@code box} (of c-client's {@code format}) at the same time from two of our deliver loops
     * and two of c-client's append loops, {@code each} messages apiece, while a c-client session holds the
     * mailbox read-write (imapd) and our flag changes run: every message arrives exactly once, intact, c-client
     * and we read the same mailbox, and our check finds it sound.
     */
    static void deliverFromBothSides(Path dir, Path box, String format, int each) throws Exception {
        List<List<String>> peers = new ArrayList<>();
        for (String who : List.of("ours-a", "ours-b", "cclient-a", "cclient-b")) {
            StringBuilder sh = new StringBuilder("set -e; cd; i=0; while [ $i -lt " + each + " ]; do ");
            sh.append("printf 'From: %s@example.org\\r\\nSubject: %s %s\\r\\nMessage-ID: <%s-%s@" + format
                    + ">\\r\\n\\r\\nFrom the body of %s\\r\\n' " + who + " " + who + " $i " + who + " $i $i > " + dir
                    + "/msg-" + who + "; ");
            if (who.startsWith("cclient")) {
                sh.append(Peers.DIST.resolve("cclient-mbox")).append(" append ").append(rel(box)).append(' ').append(dir)
                        .append("/msg-").append(who).append("; ");
            } else {
                sh.append(String.join(" ", Peers.ours("deliver", format + ":" + box))).append(" < ").append(dir)
                        .append("/msg-").append(who).append("; ");
            }
            sh.append("i=$((i+1)); done");
            peers.add(Peers.asUser("env", "HOME=" + Peers.HOME, "sh", "-c", sh.toString()));
        }
        // flag changes by us while the deliveries run (whatever is there by then)
        peers.add(Peers.asUser("env", "HOME=" + Peers.HOME, "sh", "-c", "i=0; while [ $i -lt 6 ]; do "
                + String.join(" ", Peers.ours("flag", box.toString())) + " '1:*' '+\\Seen' '+busy' || true; sleep 0.3; "
                + "i=$((i+1)); done"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(peers.size());
        try (Peers.Holder imapd = new Peers.Holder(Peers.cclientOpen(box, "default"), false)) {
            assertTrue(imapd.awaitOutput("read-write", 30), imapd.stderr());
            List<java.util.concurrent.Future<Peers.Result>> running = new ArrayList<>();
            for (List<String> p : peers) {
                running.add(pool.submit(() -> Peers.run(p, 600)));
            }
            for (int i = 0; i < running.size(); i++) {
                Peers.Result r = running.get(i).get();
                assertEquals(0, r.status(), peers.get(i) + ": " + r);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = 4 * each;
        java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
        StoreOptions so = StoreOptions.defaults();
        try (Mailbox m = Drivers.open(MailboxRef.of(box), false, so)) {
            assertEquals(total, m.index().count());
            for (int n = 1; n <= total; n++) {
                String text = new String(m.content(n), StandardCharsets.ISO_8859_1);
                assertTrue(Peers.countMessageIds(text, seen) == 1 && text.endsWith("\r\n"), "message " + n + " intact: " + text);
            }
        }
        assertEquals(total, seen.size(), "each once: " + seen);
        List<String> theirs = cclientList(box, format);
        assertEquals(total + 2, theirs.size());
        assertTrue(theirs.stream().anyMatch(l -> l.contains(" S") && l.contains("busy")),
                "our flag changes, made while the deliveries ran, are there: " + theirs);
        assertEquals(theirs.subList(2, theirs.size()), ourList(box));
        Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", box.toString())), 60);
        assertEquals(0, check.status(), check.toString());
    }
}
