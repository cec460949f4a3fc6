package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
}
