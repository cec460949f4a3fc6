package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.spoollock.store.mbox.MboxIndex;

/** Message counts of tricky mailboxes: spoollock (library and CLI) against c-client's own parse. */
class MboxCountIT {
    private static final String FROM = "From alice@example.org Wed Dec  2 05:53:22 1992\n";

    private static Map<String, String> cases() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("three plain messages", FROM + "Subject: a\n\nbody\n\n" + FROM + "Subject: b\n\nbody\n\n" + FROM + "Subject: c\n\nc\n");
        m.put("leading blank lines and spaces", "\n\n \t\r\n" + FROM + "Subject: a\n\nx\n" + FROM + "Subject: b\n\ny\n");
        m.put("CRLF line ends", FROM.replace("\n", "\r\n") + "Subject: a\r\n\r\nx\r\n" + FROM.replace("\n", "\r\n")
                + "Subject: b\r\n\r\ny\r\n");
        m.put("a From_ line among the headers is a header", FROM + "Subject: a\n" + FROM + "X-Other: 1\n\nbody\n");
        m.put("From lines in bodies that are not VALID", FROM + "Subject: a\n\nFrom the desk of me\nFrom  nobody\n"
                + "From x Wed Dec 2 05:53:22 1992\n");
        m.put("no blank line before From_", FROM + "Subject: a\n\nline\n" + FROM + "Subject: b\n\nline");
        m.put("last line a From_ line without newline", FROM + "Subject: a\n\nbody\n" + FROM.trim());
        m.put("c-client's pseudo-message", "From MAILER-DAEMON Wed Dec  2 05:53:22 1992\nDate: Wed, 2 Dec 1992 05:53:22 -0700\n"
                + "From: Mail System Internal Data <MAILER-DAEMON@example.org>\n"
                + "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n"
                + "X-IMAP: 1234567890 0000000002\nStatus: RO\n\nThis text is part of the internal format of your mail folder.\n\n"
                + FROM + "Subject: a\nX-UID: 1\n\nx\n\n" + FROM + "Subject: b\nX-UID: 2\n\ny\n");
        m.put("X-IMAPbase on message 1 (not a pseudo-message)", FROM + "X-IMAPbase: 1234567890 2\nSubject: a\n\nx\n\n"
                + FROM + "Subject: b\n\ny\n");
        m.put("X-IMAP with validity 0 is no pseudo-message", FROM + "X-IMAP: 0 5\nSubject: a\n\nx\n\n" + FROM + "Subject: b\n\ny\n");
        m.put("binary and 8-bit body", FROM + "Subject: bin\n\n\u00ff\u00fe\u0001\u0002 caf\u00e9\n\u0080\u0081\n\n" + FROM
                + "Subject: b\n\ny\n");
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            big.append(i % 7 == 0 ? "From bob Thu Jan  1 00:00:00 1970 -0000\n" : FROM).append("Subject: m").append(i)
                    .append("\n\n").append("From here on, body ").append(i).append("\n\n");
        }
        m.put("500 messages", big.toString());
        return m;
    }

    private static Peers.Result cclientScan(Path file) {
        return Peers.run(Peers.asUser("env", "HOME=" + Peers.HOME, "sh", "-c", "cd && exec \"$0\" \"$1\"",
                Peers.DIST.resolve("cclient-scan").toString(), Peers.HOME.relativize(file).toString()), 60);
    }

    @Test
    void ourCountsAreCClients() throws Exception {
        Path dir = Peers.newDir("counts");
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, String> c : cases().entrySet()) {
            Path file = dir.resolve("mbox-" + Integer.toHexString(c.getKey().hashCode()));
            Files.writeString(file, c.getValue(), StandardCharsets.ISO_8859_1);
            Peers.chown(file);
            Peers.Result cc = cclientScan(file);
            assertEquals(0, cc.status(), c.getKey() + ": " + cc);
            int theirs = Integer.parseInt(cc.out().lines().findFirst().orElseThrow());
            int ours = MboxIndex.scan(file).count();
            Peers.Result cli = Peers.run(Peers.asUser(Peers.ours("count", file.toString())), 60);
            assertEquals(0, cli.status(), c.getKey() + ": " + cli);
            if (ours != theirs || Integer.parseInt(cli.out().trim()) != theirs) {
                diffs.add(c.getKey() + ": c-client " + theirs + ", library " + ours + ", CLI " + cli.out().trim());
            }
            // the parallel scan, with part boundaries every few lines (ParallelScan); the CLI's way to it
            // (its system properties) is FuzzCorpusCClientIT's
            long part = Math.max(1, Files.size(file) / 9);
            int inParts;
            try (var ch = java.nio.channels.FileChannel.open(file)) {
                inParts = MboxIndex.scanInParts(ch, file, part, 3).count();
            }
            if (inParts != theirs) {
                diffs.add(c.getKey() + " in parts of " + part + " bytes: c-client " + theirs + ", library " + inParts);
            }
        }
        assertEquals(List.of(), diffs);
    }

    @Test
    void aFileThatIsNotAnMboxIsRefusedByBoth() throws Exception {
        Path dir = Peers.newDir("not-mbox");
        Path file = dir.resolve("junk");
        Files.writeString(file, "Hello, this is not a mailbox\nFrom alice Wed Dec  2 05:53:22 1992\n");
        Peers.chown(file);
        // c-client's unix driver refuses it too; its mail_open then falls back to the "phile" driver, which
        // shows any file as one message: so c-client "opens" it, but not as a mailbox.
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("count", file.toString())), 60);
        assertEquals(65, r.status(), r.toString());
        assertTrue(r.err().contains("not an mbox") && r.err().contains("offset 0"), r.err());
    }
}
