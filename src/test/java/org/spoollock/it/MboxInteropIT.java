package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The mbox store against c-client itself (spooltest/c/cclient-mbox: c-client's own parse, flags,
 * expunge and append) and Python's mailbox module: same counts, UIDs, flags, keywords and sizes;
 * each reads what the other wrote; c-client's and our rewrites of the same mailbox are the same bytes.
 */
class MboxInteropIT {
    private static final String FROM = "From alice@example.org Wed Dec  2 05:53:22 1992\n";

    /** Tricky mailboxes, with c-client's status headers in every shape it reads. */
    static Map<String, String> cases() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("plain", FROM + "Subject: a\n\nbody\n\n" + FROM + "Subject: b\n\nbody b\n");
        m.put("status headers", FROM + "Subject: a\nStatus: RO\nX-Status: DFAT\n\nx\n\n" + FROM + "Status: O\nSubject: b\n"
                + "X-Status: F\n\ny\n\n" + FROM + "Subject: c\nStatus: R\n\nz\n");
        m.put("X-IMAPbase, keywords, UIDs", FROM + "X-IMAPbase: 1234567890 0000000010 work later $Junk\nSubject: a\n"
                + "Status: RO\nX-Keywords: work $Junk unknown\nX-UID: 3\n\nx\n\n" + FROM + "Subject: b\nX-Keywords: later\n"
                + "X-UID: 7\n\ny\n\n" + FROM + "Subject: c\n\nno uid\n");
        m.put("UIDs going backwards and duplicated", FROM + "X-IMAPbase: 1234567890 20\nSubject: a\nX-UID: 5\n\nx\n\n"
                + FROM + "Subject: b\nX-UID: 4\n\ny\n\n" + FROM + "Subject: c\nX-UID: 9\nX-UID: 10\n\nz\n\n" + FROM
                + "Subject: d\nX-UID: 12\n\nw\n");
        m.put("pseudo-message", "From MAILER-DAEMON Wed Dec  2 05:53:22 1992\nDate: 02 Dec 1992 05:53:22 -0700\n"
                + "From: Mail System Internal Data <MAILER-DAEMON@example.org>\n"
                + "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\nMessage-ID: <1@example.org>\n"
                + "X-IMAP: 1234567890 0000000004 urgent\nStatus: RO\n\ninternal\n\n" + FROM
                + "Subject: a\nX-Keywords: urgent\nX-UID: 2\nStatus: RO\n\nx\n\n" + FROM + "Subject: b\nX-UID: 4\n\ny\n");
        m.put("bogus-case status headers and their continuations", FROM + "Subject: a\nstatus: RO\nX-STATUS: D\n"
                + "X-Keywords: a\n  continued\nX-Other: 1\n\tcontinued too\n\nx\n\n" + FROM + "Subject: b\n\ny\n");
        m.put("CRLF line ends", (FROM + "Subject: a\nStatus: RO\n\nx\nline\n\n" + FROM + "Subject: b\n\ny\n")
                .replace("\n", "\r\n"));
        m.put("missing final newline", FROM + "Subject: a\n\nbody\n\n" + FROM + "Subject: b\n\nno newline");
        m.put("From lines in bodies", FROM + "Subject: a\n\nFrom the desk of me\n>From quoted\nFrom x Wed Dec 2 05:53 1992\n"
                + "\n" + FROM + "Subject: b\n\ny\n");
        m.put("no blank line before From_, empty bodies", FROM + "Subject: a\n" + "\n" + FROM + "Subject: b\n\n" + FROM
                + "Subject: c\n\nline\n" + FROM + "Subject: d\n\n");
        m.put("8-bit and NUL", FROM + "Subject: caf\u00e9\n\n\u00ff\u0001\u0000 bin\n\n" + FROM + "Subject: b\n\ny\n");
        m.put("huge header line", FROM + "Subject: a\nX-Long: " + "h".repeat(200_000) + "\n\nx\n\n" + FROM + "Subject: b\n\ny\n");
        return m;
    }

    private static Path write(Path dir, String name, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.ISO_8859_1);
        Peers.chown(f);
        return f;
    }

    /** c-client's "msgno uid flags size keywords" lines (its first two lines, UIDVALIDITY and keywords, apart). */
    private static List<String> cclientList(Path mbox, boolean withValidity) {
        Peers.Result r = Peers.cclientMbox("list", mbox);
        assertEquals(0, r.status(), r.toString());
        List<String> out = new ArrayList<>();
        List<String> lines = r.out().lines().toList();
        String[] head = lines.get(0).split(" ");
        if (withValidity) {
            out.add("uidvalidity " + head[1] + " uidnext " + head[3]);
        }
        for (String l : lines.subList(2, lines.size())) {
            String[] w = l.split(" ");
            out.add(w[0] + " " + w[1] + " " + w[2] + " " + w[3] + " " + w[4]);
        }
        return out;
    }


    @Test
    void ourListIsCClients() throws Exception {
        Path dir = Peers.newDir("list");
        Map<String, List<String>> diffs = new LinkedHashMap<>();
        int messages = 0;
        for (Map.Entry<String, String> c : cases().entrySet()) {
            Path f = write(dir, "mbox-" + Integer.toHexString(c.getKey().hashCode()), c.getValue());
            List<String> theirs = cclientList(f, false);
            List<String> ours = Peers.ourList(f);
            messages += theirs.size();
            if (!theirs.equals(ours)) {
                diffs.put(c.getKey(), List.of("c-client " + theirs, "spoollock " + ours));
            }
        }
        assertEquals(Map.of(), diffs);
        assertTrue(messages > 25, "the cases hold " + messages + " messages");
    }

    @Test
    void cclientReadsWhatWeWroteAndWeReadWhatItWrote() throws Exception {
        Path dir = Peers.newDir("both-ways");
        Path ours = dir.resolve("ours");
        Path theirs = write(dir, "theirs", ""); // c-client appends only to a mailbox that exists (TRYCREATE)
        for (int i = 1; i <= 4; i++) {
            Path msg = write(dir, "msg" + i, "From: sender" + i + "@example.org\nSubject: message " + i
                    + "\nStatus: RO\n\nFrom the body of " + i + "\nline two\n");
            Peers.Result d = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "--create", "-f", "sender@example.org",
                    ours.toString())), msg, 60);
            assertEquals(0, d.status(), d.toString());
            Peers.Result a = Peers.cclientMbox("append", theirs, msg.toString());
            assertEquals(0, a.status(), a.toString());
        }
        // flags and keywords: we set ours, c-client sets theirs, the same way
        for (Path box : List.of(ours, theirs)) {
            boolean us = box == ours;
            flag(us, box, "1,3", "+", "\\Seen");
            flag(us, box, "2", "+", "\\Flagged", "work");
            flag(us, box, "4", "+", "\\Deleted", "\\Answered", "later");
            flag(us, box, "2:3", "+", "\\Draft", "$Label1");
            flag(us, box, "3", "-", "\\Draft");
        }
        for (Path box : List.of(ours, theirs)) {
            List<String> c = cclientList(box, true);
            List<String> s = Peers.ourList(box);
            assertEquals(c.subList(1, c.size()), s, box.getFileName() + ": c-client's view against ours");
            assertEquals(List.of("1 1 S---- -", "2 2 --F-T work,$Label1", "3 3 S---- $Label1", "4 4 -A-D- later"),
                    s.stream().map(l -> {
                        String[] w = l.split(" ");
                        return w[0] + " " + w[1] + " " + w[2] + " " + w[4];
                    }).toList(), box.toString());
        }
        // the two mailboxes differ only in their From_ lines (sender, date) and X-IMAPbase's UIDVALIDITY
        // (when each got its UIDs): headers, status headers, padding and bodies are the same bytes
        assertEquals(withoutFromLinesAndValidity(theirs), withoutFromLinesAndValidity(ours), "ours against c-client's");
        // expunge: ours with our command, theirs with c-client's; each then read by the other
        Peers.Result e = Peers.run(Peers.asUser(Peers.ours("expunge", ours.toString())), 60);
        assertEquals(0, e.status(), e.toString());
        assertEquals("1", e.out().trim());
        Peers.Result ce = Peers.cclientMbox("expunge", theirs);
        assertEquals(0, ce.status(), ce.toString());
        for (Path box : List.of(ours, theirs)) {
            List<String> c = cclientList(box, true);
            assertEquals(c.subList(1, c.size()), Peers.ourList(box), box.toString());
            assertEquals(3, Peers.ourList(box).size());
        }
    }

    /** The mailbox's text with each From_ line and the X-IMAPbase UIDVALIDITY replaced by placeholders. */
    private static String withoutFromLinesAndValidity(Path box) throws Exception {
        String text = Files.readString(box, StandardCharsets.ISO_8859_1);
        assertEquals(4, text.lines().filter(l -> l.startsWith("From ")).count(), box + ": four From_ lines\n" + text);
        return text.replaceAll("(?m)^From .*$", "From <sender> <date>").replaceAll("(?m)^(X-IMAPbase: )[0-9]+ ",
                "$1<uidvalidity> ");
    }

    private static void flag(boolean us, Path box, String seq, String sign, String... flags) {
        Peers.Result r;
        if (us) {
            List<String> args = new ArrayList<>(List.of("flag", box.toString(), seq));
            for (String f : flags) {
                args.add(sign + f);
            }
            r = Peers.run(Peers.asUser(Peers.ours(args.toArray(String[]::new))), 60);
        } else {
            r = Peers.cclientMbox(sign.equals("+") ? "flag" : "unflag", box, seq, String.join(" ", flags));
        }
        assertEquals(0, r.status(), (us ? "spoollock " : "c-client ") + String.join(" ", flags) + ": " + r);
    }

    /**
     * The same change made by c-client and by us on copies of one mailbox gives the same bytes: our
     * rewrite is c-client's (status block, padding, X-IMAPbase, what moves, what stays).
     */
    @Test
    void ourRewriteIsByteForByteCClients() throws Exception {
        Path dir = Peers.newDir("bytes");
        StringBuilder base = new StringBuilder();
        for (int i = 1; i <= 6; i++) {
            base.append(FROM).append("Subject: m").append(i).append(i == 2 ? "\nStatus: RO\nX-Status: F" : "")
                    .append("\n\nbody ").append(i).append("\n>From x\n\n");
        }
        Path start = write(dir, "start", base.toString());
        // c-client gives it UIDs and status headers once (its read-write open and close); that file is the base
        Peers.Result init = Peers.cclientMbox("list", start, "--rw");
        assertEquals(0, init.status(), init.toString());
        String[][] steps = {{"2:4", "+", "\\Seen"}, {"5", "+", "\\Deleted"}, {"1", "+", "work"}, {"3", "+", "\\Answered"},
            {"2", "-", "\\Flagged"}, {"6", "+", "a-keyword-long-enough-to-overflow-the-padding"}};
        for (String[] step : steps) {
            Path a = dir.resolve("a");
            Path b = dir.resolve("b");
            Files.copy(start, a, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(start, b, StandardCopyOption.REPLACE_EXISTING);
            Peers.chown(a);
            Peers.chown(b);
            flag(false, a, step[0], step[1], step[2]);
            flag(true, b, step[0], step[1], step[2]);
            assertEquals(Files.readString(a, StandardCharsets.ISO_8859_1), Files.readString(b, StandardCharsets.ISO_8859_1),
                    String.join(" ", step));
            Files.copy(a, start, StandardCopyOption.REPLACE_EXISTING); // the steps accumulate
        }
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Files.copy(start, a, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(start, b, StandardCopyOption.REPLACE_EXISTING);
        Peers.chown(a);
        Peers.chown(b);
        assertEquals(0, Peers.cclientMbox("expunge", a).status());
        assertEquals(0, Peers.run(Peers.asUser(Peers.ours("expunge", b.toString())), 60).status());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "expunge");
    }

    @Test
    void pythonAgreesOnWellFormedMailboxesAndSplitsLooseFromLinesWhereCClientDoesNot() throws Exception {
        Path dir = Peers.newDir("python");
        Path box = dir.resolve("mbox");
        for (int i = 1; i <= 5; i++) {
            Path msg = write(dir, "msg" + i, "Message-ID: <m" + i + "@test>\nSubject: " + i + "\n\nFrom the body\n" + "x\n");
            assertEquals(0, Peers.runWithInput(Peers.asUser(Peers.ours("deliver", box.toString())), msg, 60).status());
        }
        Peers.Result py = Peers.run(Peers.asUser("python3", Peers.DIST.resolve("pymbox.py").toString(), "scan",
                box.toString()), 60);
        assertEquals(0, py.status(), py.toString());
        assertEquals(List.of("5", "<m1@test>", "<m2@test>", "<m3@test>", "<m4@test>", "<m5@test>"), py.out().lines().toList());
        // A body line "From ..." that is not a VALID From_ line (written by a program that does not quote):
        // c-client keeps it in its message; Python's mailbox starts a new message there. Documented in docs/mbox.md.
        Path loose = write(dir, "loose", FROM + "Message-ID: <a@test>\nSubject: a\n\nFrom the desk of me\n\n" + FROM
                + "Message-ID: <b@test>\nSubject: b\n\ny\n");
        py = Peers.run(Peers.asUser("python3", Peers.DIST.resolve("pymbox.py").toString(), "scan", loose.toString()), 60);
        assertEquals("3", py.out().lines().findFirst().orElseThrow(), py.toString());
        assertEquals(2, cclientList(loose, false).size());
        assertEquals(2, Peers.ourList(loose).size());
        Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", loose.toString())), 60);
        assertEquals(0, check.status(), check.toString());
        assertTrue(check.out().contains("1 line(s) start with \"From \" but are not From_ lines"), check.out());
    }
}
