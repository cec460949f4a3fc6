package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spoollock.store.tenex.TenexFormat;
import org.spoollock.store.tenex.TenexMailbox;

/**
 * tenex and mtx against c-client itself: each reads what the other wrote (flags, keywords, dates,
 * sizes), mailutil's copy and ours agree, and expunge waits for every other session as c-client's
 * rule says. Keywords in these formats are c-client's configured list, which c-client (mailutil
 * included) reads only from /etc/c-client.cf: it ignores ~/.mminit unless the program allows user
 * configuration, which mailutil does not, and no environment variable moves the file. So the class
 * writes /etc/c-client.cf (as root) for its duration, marked as its own, and removes it after. A file
 * with that mark left by a run that was killed is taken over; one without it belongs to the machine,
 * and the class fails rather than touch it or skip.
 */
class TenexInteropIT {
    private static final Path CF = Path.of("/etc/c-client.cf");
    /** A line c-client's configuration reader ignores (a single word: it acts only on lines of two words or more). */
    private static final String MARK = "#written-by-spoollock-TenexInteropIT-pid-";
    /** The keyword list; alone, the whole file earlier versions of this class wrote. */
    private static final String LEGACY = "set keywords work,later\n";
    private static boolean wroteCf;

    @BeforeAll
    static void configureKeywords() throws Exception {
        Assumptions.assumeTrue(Peers.ROOT, "writing /etc/c-client.cf needs root");
        if (Files.exists(CF, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            String old = Files.readString(CF, StandardCharsets.ISO_8859_1);
            int at = old.indexOf(MARK);
            if (at >= 0) {
                long pid = Long.parseLong(old.substring(at + MARK.length()).lines().findFirst().orElse("").strip());
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    fail(CF + " is in use by another TenexInteropIT run (pid " + pid + ", still running): run one at a time");
                }
            } else if (!old.equals(LEGACY)) {
                fail(CF + " exists and was not written by this test (no \"" + MARK + "\" line); it is this"
                        + " machine's c-client configuration, which the tenex/mtx interop tests must replace for their"
                        + " keyword list: move it aside for the run. It holds:\n" + old);
            }
            // else left behind by a run that was killed (LEGACY: by this class before it marked the file): ours
        }
        Files.writeString(CF, LEGACY + MARK + ProcessHandle.current().pid() + "\n",
                StandardCharsets.ISO_8859_1);
        wroteCf = true;
    }

    @AfterAll
    static void removeConfiguration() throws Exception {
        if (wroteCf) {
            Files.deleteIfExists(CF);
        }
    }

    /** mail_open takes no #driver. prefix (only create, append and copy do): c-client finds the format itself. */
    private static String plain(String name) {
        return name.startsWith("#driver.") ? name.substring(name.indexOf('/') + 1) : name;
    }

    private static List<String> cclientList(String name) {
        Peers.Result r = Peers.cclientMboxName("list", plain(name));
        assertEquals(0, r.status(), r.toString());
        List<String> lines = r.out().lines().toList();
        List<String> out = new ArrayList<>();
        for (String l : lines.subList(2, lines.size())) {
            String[] w = l.split(" ");
            out.add(w[0] + " " + w[1] + " " + w[2] + " " + w[3] + " " + w[4]);
        }
        return out;
    }


    private static Path message(Path dir, int i) throws Exception {
        Path m = dir.resolve("msg" + i);
        Files.writeString(m, "Message-ID: <" + i + "@tenex>\r\nSubject: " + i + "\r\n\r\nbody " + i + "\r\nFrom x\r\n",
                StandardCharsets.ISO_8859_1);
        Peers.chown(m);
        return m;
    }

    @Test
    void eachReadsWhatTheOtherWrote() throws Exception {
        for (TenexFormat f : TenexFormat.values()) {
            Path dir = Peers.newDir("tenex-" + f.driver());
            Path ours = dir.resolve("ours");
            Path theirs = dir.resolve("theirs");
            String theirsName = "#driver." + f.driver() + "/" + Peers.HOME.relativize(theirs);
            assertEquals(0, Peers.mailutil("create", theirsName).status());
            for (int i = 1; i <= 4; i++) {
                Path m = message(dir, i);
                Peers.Result d = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "--create", f.driver() + ":" + ours)),
                        m, 60);
                assertEquals(0, d.status(), d.toString());
                Peers.Result a = Peers.cclientMboxName("append", theirsName, Peers.HOME.relativize(m).toString());
                assertEquals(0, a.status(), a.toString());
            }
            // the same flag changes, ours by us, theirs by c-client
            String[][] steps = {{"1,3", "\\Seen"}, {"2", "\\Flagged work"}, {"4", "\\Deleted \\Answered later"},
                {"2:3", "\\Draft later"}};
            for (String[] s : steps) {
                List<String> args = new ArrayList<>(List.of("flag", ours.toString(), s[0]));
                for (String x : s[1].split(" ")) {
                    args.add("+" + x);
                }
                Peers.Result r = Peers.run(Peers.asUser(Peers.ours(args.toArray(String[]::new))), 60);
                assertEquals(0, r.status(), r.toString());
                Peers.Result c = Peers.cclientMboxName("flag", plain(theirsName), s[0], s[1]);
                assertEquals(0, c.status(), c.toString());
            }
            List<String> expected = List.of("1 1 S---- 53 -", "2 2 --F-T 53 work,later", "3 3 S---T 53 later",
                    "4 4 -A-D- 53 later");
            for (Path box : List.of(ours, theirs)) {
                String name = "#driver." + f.driver() + "/" + Peers.HOME.relativize(box);
                assertEquals(expected, cclientList(name), f + " " + box.getFileName() + " as c-client reads it");
                assertEquals(expected, Peers.ourList(box), f + " " + box.getFileName() + " as we read it");
            }
            // each expunges its own; the other reads the result
            Peers.Result e = Peers.run(Peers.asUser(Peers.ours("expunge", ours.toString())), 60);
            assertEquals(0, e.status(), e.toString());
            assertEquals(0, Peers.cclientMboxName("expunge", plain(theirsName)).status());
            for (Path box : List.of(ours, theirs)) {
                String name = "#driver." + f.driver() + "/" + Peers.HOME.relativize(box);
                assertEquals(expected.subList(0, 3), cclientList(name));
                assertEquals(expected.subList(0, 3), Peers.ourList(box));
            }
        }
    }

    @Test
    void ourCopyAndMailutilsCopyAgree() throws Exception {
        Path dir = Peers.newDir("tenex-copy");
        Path src = dir.resolve("mbox");
        for (int i = 1; i <= 20; i++) {
            Peers.Result d = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", src.toString())), message(dir, i), 60);
            assertEquals(0, d.status(), d.toString());
        }
        assertEquals(0, Peers.run(Peers.asUser(Peers.ours("flag", src.toString(), "2:5", "+\\Seen", "+work")), 60).status());
        Path ours = dir.resolve("ours.tenex");
        Peers.Result c = Peers.run(Peers.asUser(Peers.ours("copy", "--format", "tenex", src.toString(), ours.toString())),
                120);
        assertEquals(0, c.status(), c.toString());
        assertTrue(c.out().contains("verified"), c.out());
        Path theirs = dir.resolve("theirs.tenex");
        Peers.Result m = Peers.mailutil("copy", Peers.HOME.relativize(src).toString(),
                "#driver.tenex/" + Peers.HOME.relativize(theirs));
        assertEquals(0, m.status(), m.toString());
        List<String> a = cclientList("#driver.tenex/" + Peers.HOME.relativize(ours));
        List<String> b = cclientList("#driver.tenex/" + Peers.HOME.relativize(theirs));
        assertEquals(b, a, "c-client reads our copy as it reads mailutil's");
        assertEquals(b, Peers.ourList(theirs), "we read mailutil's copy as c-client does");
        assertEquals(20, a.size());
    }

    @Test
    void expungeWaitsUntilNoOtherSessionHasTheMailboxOpen() throws Exception {
        Path dir = Peers.newDir("tenex-expunge");
        Path box = dir.resolve("box");
        for (int i = 1; i <= 3; i++) {
            Peers.Result d = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "--create", "tenex:" + box)),
                    message(dir, i), 60);
            assertEquals(0, d.status(), d.toString());
        }
        assertEquals(0, Peers.run(Peers.asUser(Peers.ours("flag", box.toString(), "2", "+\\Deleted")), 60).status());
        String name = "#driver.tenex/" + Peers.HOME.relativize(box);
        // we hold it open (as a server would): c-client's expunge is refused, as its own rule says
        try (TenexMailbox open = TenexMailbox.open(box, TenexFormat.TENEX, false, TenexMailbox.Options.defaults()
                .withTimeout(Duration.ofSeconds(10)))) {
            Peers.Result c = Peers.cclientMboxName("expunge", plain(name));
            assertTrue(c.err().contains("in use by another process"), c.toString());
            assertEquals(3, open.index().count());
        }
        // c-client holds it open: our expunge is refused (exit 75) the same way
        try (Peers.Holder held = new Peers.Holder(Peers.cclientOpen(box, "default"), false)) {
            assertTrue(held.awaitOutput("read-write", 30), "c-client opened the mailbox");
            Peers.Result r = Peers.run(Peers.asUser(Peers.ours("expunge", box.toString())), 60);
            assertEquals(75, r.status(), r.toString());
            assertTrue(r.err().contains("in use by another process"), r.err());
        }
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("expunge", box.toString())), 60);
        assertEquals(0, r.status(), r.toString());
        assertEquals("1", r.out().trim());
        assertEquals(2, cclientList(name).size());
    }
}
