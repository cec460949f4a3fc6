package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * mmdf against c-client's mmdf driver: each reads what the other wrote (UIDs, flags, keywords, sizes,
 * internal dates), mailutil's copy and ours agree, the session lock and its kiss of death work across the
 * two as for mbox, and Python's mailbox.MMDF reads what we wrote. (The appended bytes themselves are
 * compared with c-client's in {@link DeliverVsCClientAppendIT}.)
 */
class MmdfInteropIT {
    /** c-client's listing with the internal date: "msgno uid flags size keywords date". */
    private static List<String> cclientList(Path box) {
        return cclientList(box, "mmdf");
    }

    private static List<String> cclientList(Path box, String driver) {
        Peers.Result r = Peers.cclientMboxName("list", Peers.HOME.relativize(box).toString());
        assertEquals(0, r.status(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).endsWith("driver " + driver), "c-client opened it with its " + driver + " driver: "
                + lines.get(0));
        return lines.subList(2, lines.size());
    }

    /** Ours, in c-client's columns, the date as c-client's mail_date prints it. */
    private static List<String> ourList(Path box) {
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("list", "--long", box.toString())), 60);
        assertEquals(0, r.status(), r.toString());
        List<String> out = new ArrayList<>();
        for (String l : r.out().lines().toList()) {
            String[] w = l.split(" ");
            out.add(w[0] + " " + w[1] + " " + w[2] + " " + w[3] + " " + w[4]);
        }
        return out;
    }

    /** c-client's listing without the date column, to compare with {@link #ourList}. */
    private static List<String> withoutDates(List<String> l) {
        return l.stream().map(s -> s.substring(0, s.lastIndexOf(' '))).toList();
    }

    private static Path message(Path dir, int i) throws Exception {
        Path m = dir.resolve("msg" + i);
        Files.writeString(m, "Message-ID: <" + i + "@mmdf>\r\nSubject: " + i + "\r\nDate: Mon, 2 Nov 2026 05:03:22 -0700"
                + "\r\n\r\nbody " + i + "\r\nFrom x\r\n\u0001\u0001\u0001\u0001\r\nlast\r\n", StandardCharsets.ISO_8859_1);
        Peers.chown(m);
        return m;
    }

    private static void ok(Peers.Result r) {
        assertEquals(0, r.status(), r.toString());
    }

    @Test
    void eachReadsWhatTheOtherWrote() throws Exception {
        Path dir = Peers.newDir("mmdf-each");
        Path ours = dir.resolve("ours");
        Path theirs = dir.resolve("theirs");
        String theirsName = "#driver.mmdf/" + Peers.HOME.relativize(theirs);
        ok(Peers.mailutil("create", theirsName));
        for (int i = 1; i <= 4; i++) {
            Path m = message(dir, i);
            ok(Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "mmdf:" + ours)), m, 60));
            ok(Peers.cclientMboxName("append", theirsName, Peers.HOME.relativize(m).toString()));
        }
        assertTrue(Files.readString(ours, StandardCharsets.ISO_8859_1).startsWith("\u0001\u0001\u0001\u0001\n"));
        String[][] steps = {{"1,3", "\\Seen"}, {"2", "\\Flagged work"}, {"4", "\\Deleted \\Answered later"},
            {"2:3", "\\Draft later"}};
        for (String[] s : steps) {
            List<String> args = new ArrayList<>(List.of("flag", ours.toString(), s[0]));
            for (String x : s[1].split(" ")) {
                args.add("+" + x);
            }
            ok(Peers.run(Peers.asUser(Peers.ours(args.toArray(String[]::new))), 60));
            ok(Peers.cclientMboxName("flag", Peers.HOME.relativize(theirs).toString(), s[0], s[1]));
        }
        // sizes: the message (98 bytes with CRLF, its ^A bytes dropped) and the newline every mmdf append adds
        List<String> expected = List.of("1 1 S---- 100 -", "2 2 --F-T 100 work,later", "3 3 S---T 100 later",
                "4 4 -A-D- 100 later");
        for (Path box : List.of(ours, theirs)) {
            assertEquals(expected, withoutDates(cclientList(box)), box.getFileName() + " as c-client reads it");
            assertEquals(expected, ourList(box), box.getFileName() + " as we read it");
        }
        // each expunges its own; the other reads the result
        ok(Peers.run(Peers.asUser(Peers.ours("expunge", ours.toString())), 60));
        ok(Peers.cclientMboxName("expunge", Peers.HOME.relativize(theirs).toString()));
        for (Path box : List.of(ours, theirs)) {
            assertEquals(expected.subList(0, 3), withoutDates(cclientList(box)));
            assertEquals(expected.subList(0, 3), ourList(box));
        }
        // and each goes on from the other's rewrite: we deliver into theirs, c-client into ours
        Path m = message(dir, 5);
        ok(Peers.runWithInput(Peers.asUser(Peers.ours("deliver", theirs.toString())), m, 60));
        ok(Peers.cclientMboxName("append", Peers.HOME.relativize(ours).toString(), Peers.HOME.relativize(m).toString()));
        for (Path box : List.of(ours, theirs)) {
            List<String> c = withoutDates(cclientList(box));
            assertEquals(4, c.size());
            assertEquals("4 5 ----- 100 -", c.get(3), box.getFileName().toString());
            assertEquals(c, ourList(box));
        }
    }

    @Test
    void ourCopyAndMailutilsCopyAgree() throws Exception {
        Path dir = Peers.newDir("mmdf-copy");
        Path src = dir.resolve("mbox");
        for (int i = 1; i <= 20; i++) {
            ok(Peers.runWithInput(Peers.asUser(Peers.ours("deliver", src.toString())), message(dir, i), 60));
        }
        ok(Peers.run(Peers.asUser(Peers.ours("flag", src.toString(), "2:5", "+\\Seen", "+work")), 60));
        ok(Peers.run(Peers.asUser(Peers.ours("flag", src.toString(), "7", "+\\Deleted", "+\\Flagged")), 60));
        Path ours = dir.resolve("ours.mmdf");
        Peers.Result c = Peers.run(Peers.asUser(Peers.ours("copy", "--format", "mmdf", src.toString(), ours.toString())),
                120);
        ok(c);
        assertTrue(c.out().contains("verified"), c.out());
        Path theirs = dir.resolve("theirs.mmdf");
        ok(Peers.mailutil("copy", Peers.HOME.relativize(src).toString(), "#driver.mmdf/" + Peers.HOME.relativize(theirs)));
        List<String> a = cclientList(ours);
        List<String> b = cclientList(theirs);
        // mailutil's copy goes through append, which adds a newline to every message, and drops keywords the
        // new mailbox does not know yet; ours keeps the source's bytes, UIDs and keywords. Both keep the
        // flags and internal dates.
        assertEquals(20, a.size());
        for (int i = 0; i < 20; i++) {
            String[] x = a.get(i).split(" ");
            String[] y = b.get(i).split(" ");
            assertEquals(List.of(y[0], y[2], y[5]), List.of(x[0], x[2], x[5]), "message " + (i + 1));
            assertEquals(Long.parseLong(y[3]) - 2, Long.parseLong(x[3]), "message " + (i + 1) + ": size");
        }
        assertEquals(withoutDates(b), ourList(theirs), "we read mailutil's copy as c-client does");
        assertEquals(withoutDates(a), ourList(ours));
        // each source message has a line of four ^A bytes, which an mmdf file cannot hold (c-client drops them)
        List<String> source = withoutDates(cclientList(src, "unix"));
        for (int i = 0; i < 20; i++) {
            String[] x = a.get(i).split(" ");
            String[] y = source.get(i).split(" ");
            assertEquals(List.of(y[0], y[1], y[2], y[4]), List.of(x[0], x[1], x[2], x[4]),
                    "our copy keeps the source's UIDs, flags and keywords: message " + (i + 1));
            assertEquals(Long.parseLong(y[3]) - 4, Long.parseLong(x[3]), "message " + (i + 1) + ": size without its ^A bytes");
        }
    }

    @Test
    void cclientGivesUpItsSessionToOursAndPythonReadsOurs() throws Exception {
        Path dir = Peers.newDir("mmdf-session");
        Path box = dir.resolve("box");
        for (int i = 1; i <= 3; i++) {
            ok(Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "mmdf:" + box)), message(dir, i), 60));
        }
        try (Peers.Holder held = new Peers.Holder(Peers.cclientOpen(box, "default"), false)) {
            assertTrue(held.awaitOutput("read-write", 30), "c-client opened the mailbox: " + held.stderr());
            // our flag is a read-write session: c-client's session is asked to give the mailbox up, and does
            ok(Peers.run(Peers.asUser(Peers.ours("flag", box.toString(), "2", "+\\Flagged")), 60));
        }
        assertEquals("2 2 --F-- 100 -", withoutDates(cclientList(box)).get(1));
        Peers.Result py = Peers.run(Peers.asUser(List.of("python3", "-c", "import mailbox,sys\n"
                + "b = mailbox.MMDF(sys.argv[1], create=False)\n"
                + "for k in b.keys():\n    m = b.get_message(k)\n    print(m['Message-ID'], repr(m.get_payload()))\n",
                box.toString())), 60);
        ok(py);
        // the message's own ^A line lost its ^A bytes on the way in (c-client's rule), so it is an empty line;
        // Python drops the newline the append added, which c-client keeps
        assertEquals(List.of("<1@mmdf> 'body 1\\nFrom x\\n\\nlast\\n'", "<2@mmdf> 'body 2\\nFrom x\\n\\nlast\\n'",
                "<3@mmdf> 'body 3\\nFrom x\\n\\nlast\\n'"), py.out().lines().toList());
    }

    private static final String A = "\u0001\u0001\u0001\u0001\n";
    private static final String FROM = "From a@example.org Mon Nov  2 05:03:22 2026\n";

    /**
     * Files c-client's mmdf parse reads in its own way: a message without a VALID From_ line (dated by the
     * file's mtime), a delimiter inside a header, a last line running into its trailer, a trailer that
     * doubles as the next message's delimiter, a stray line between messages, a message cut short at the end
     * of the file, CRLF, status headers and the pseudo-message. We read each as c-client does (numbers, UIDs,
     * flags, sizes, keywords, dates), and after a flag change (c-client's rewrite of one copy, ours of
     * another) each reads the other's rewrite the same way.
     */
    @Test
    void oddFilesAreReadAndRewrittenAsCClientDoes() throws Exception {
        java.util.Map<String, String> files = new java.util.LinkedHashMap<>();
        files.put("no-from-line", A + "Subject: no From_ line\n\nbody\n" + A + A + FROM + "Subject: 2\n\nb2\n" + A);
        files.put("delimiter-in-header", A + FROM + "Subject: 1\nX-A: b\n" + A + A + FROM + "Subject: 2\n\nb\n" + A);
        files.put("short-line-into-trailer", A + FROM + "Subject: 1\n\nx" + A + A + FROM + "Subject: 2\n\nb\n" + A);
        files.put("shared-delimiter", A + FROM + "Subject: 1\n\nb1\n" + A + FROM + "Subject: 2\n\nb2\n" + A
                + FROM + "Subject: 3\n\nb3\n" + A);
        files.put("stray-line", A + FROM + "Subject: 1\n\nb1\n" + A + "\n" + A + FROM + "Subject: 2\n\nb2\n" + A);
        files.put("no-trailer", A + FROM + "Subject: 1\n\nb1\n" + A + A + FROM + "Subject: 2\n\nb2 cut short\n");
        files.put("crlf", A + FROM.replace("\n", "\r\n") + "Subject: 1\r\n\r\nb1\r\nb\r\r\n" + A + A + FROM
                + "Subject: 2\r\n\r\n\r\n" + A);
        files.put("status-and-pseudo", A + FROM + "Subject: pseudo\nX-IMAP: 1700000000 0000000012 alpha beta\n"
                + "Status: RO\n\nThe pseudo-message.\n" + A + A + FROM + "Subject: 1\nStatus: RO\nX-Status: AF\n"
                + "X-Keywords: beta gamma\nX-UID: 7\n\nb1\n" + A + A + FROM + "Subject: 2\nX-UID: 5\nstatus: R\n\nb2\n" + A
                + A + FROM + "Subject: 3\nX-UID: 9\n\n\n" + A);
        Path dir = Peers.newDir("mmdf-odd");
        // A line of more than six bytes that runs into the delimiter: c-client means to read it as two lines,
        // but counts the first from its buffer after reloading it (mmdf_mbxline: SETPOS, then ret[...] = '\n'),
        // so what it sees depends on where its 64 KiB chunks fall (here: message 1 three bytes longer, message 2
        // seven, its trailer broken by the stray newline). c-client's and Python's appends never write it.
        // We read the two lines c-client means, and check names the place.
        Path bad = dir.resolve("line-into-trailer");
        Files.writeString(bad, A + FROM + "Subject: 1\n\nno newline" + A + A + FROM + "Subject: 2\n\nb\n" + A,
                StandardCharsets.ISO_8859_1);
        Peers.chown(bad);
        assertEquals(List.of("1 1 ----- 25 -", "2 2 ----- 17 -"), ourList(bad));
        Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", bad.toString())), 60);
        assertEquals(65, check.status(), check.toString());
        String said = check.out() + check.err();
        assertTrue(said.contains("offset 61") && said.contains("run into the ^A^A^A^A line"), check.toString());
        for (var f : files.entrySet()) {
            Path box = dir.resolve(f.getKey());
            Files.writeString(box, f.getValue(), StandardCharsets.ISO_8859_1);
            Peers.chown(box);
            Files.setLastModifiedTime(box, java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L));
            List<String> theirs = cclientList(box);
            assertEquals(theirs, ourDatedList(box), f.getKey() + " as we read it");
            Path copy = dir.resolve(f.getKey() + ".ours");
            Files.copy(box, copy);
            Peers.chown(copy);
            ok(Peers.cclientMboxName("flag", Peers.HOME.relativize(box).toString(), "1", "\\Flagged"));
            ok(Peers.run(Peers.asUser(Peers.ours("flag", copy.toString(), "1", "+\\Flagged")), 60));
            List<String> afterTheirs = withoutDates(cclientList(box));
            assertEquals(afterTheirs, withoutDates(cclientList(copy)), f.getKey() + ": c-client reads our rewrite as its own");
            assertEquals(afterTheirs, ourList(box), f.getKey() + ": we read c-client's rewrite as c-client does");
            assertEquals(afterTheirs, ourList(copy), f.getKey() + ": we read our rewrite as c-client does");
        }
    }

    /** Ours with the date in c-client's mail_date form ("_2-Nov-2026_05:03:22_+0000"). */
    private static List<String> ourDatedList(Path box) {
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("list", "--long", box.toString())), 60);
        assertEquals(0, r.status(), r.toString());
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
}
