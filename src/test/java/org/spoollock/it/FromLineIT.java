package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.spoollock.store.mbox.FromLine;

/**
 * spoollock's From_ rule against c-client's own parser (spooltest/c/cclient-scan.c): one mailbox of
 * hundreds of candidate lines, each followed by a blank line and a marker; where c-client starts a
 * message, its text begins with that marker. The two lists of markers must be identical.
 */
class FromLineIT {
    private static final List<String> VALID_FORMATS = List.of(
            "From user Wed Dec  2 05:53 1992",
            "From user Wed Dec  2 05:53:22 1992",
            "From user Wed Dec  2 05:53 PST 1992",
            "From user Wed Dec  2 05:53:22 PST 1992",
            "From user Wed Dec  2 05:53 -0700 1992",
            "From user Wed Dec  2 05:53:22 -0700 1992",
            "From user Wed Dec  2 05:53 1992 PST",
            "From user Wed Dec  2 05:53:22 1992 PST",
            "From user Wed Dec  2 05:53 1992 -0700",
            "From user Wed Dec  2 05:53:22 1992 -0700",
            "From user Wed Dec  2 05:53:22 1992 remote from mail.example.org",
            "From user Wed Dec  2 05:53:22 -0700 1992 remote from uucp",
            "From a user with spaces in it Wed Dec  2 05:53:22 1992",
            "From MAILER-DAEMON Sat Nov 21 10:00:00 2026",
            "From alice@example.org Sun Nov 22 23:59:59 2026 +0000");

    private static final List<String> OTHER_CANDIDATES = List.of(
            "From the desk of the editor: nothing to see here",
            "From user Wed Dec 2 05:53:22 1992",
            "From user Wed Dec  2 5:53:22 1992",
            "From user Wed Dec  2 05:53:22 92",
            "From user Wed Dec  2 05:53:22 1992 ",
            "From  Wed Dec  2 05:53:22 1992",
            "From user Wed Dec  2 05:53:22 1992 0700",
            "From user Wed Dec  2 05:53:22 1992 Pacific",
            "From user Wed Dec  2 05:53:22 1992 remote from",
            "From user Wed Dec  2 05:53:22 1992  remote from x",
            "from user Wed Dec  2 05:53:22 1992",
            ">From user Wed Dec  2 05:53:22 1992",
            "From user\tWed Dec  2 05:53:22 1992",
            "From user Wed Dec\t 2 05:53:22 1992",
            "From x Wed Dec  2 05:53 1992",
            "From Wed Dec  2 05:53 1992",
            "From:user Wed Dec  2 05:53:22 1992",
            "From user Wed, 2 Dec 1992 05:53:22 -0700",
            "From user Wed Dec  2 05:53:22 1992\r",
            "From user Wed Dec  2 05:53:22 PST 1992\r",
            "From ");

    @Test
    void ourBoundariesAreCClients() throws Exception {
        List<String> candidates = new ArrayList<>(VALID_FORMATS);
        candidates.addAll(OTHER_CANDIDATES);
        Random random = new Random(20261122);
        String alphabet = " :+-0123456789AaZz";
        for (int i = 0; i < 400; i++) {
            char[] line = VALID_FORMATS.get(random.nextInt(VALID_FORMATS.size())).toCharArray();
            int mutations = 1 + random.nextInt(2);
            for (int m = 0; m < mutations; m++) {
                int pos = 5 + random.nextInt(line.length - 5);
                line[pos] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            candidates.add(new String(line));
        }
        StringBuilder mbox = new StringBuilder("From seed@example.org Wed Dec  2 05:53:22 1992\n\nBODY-0\n");
        List<String> expected = new ArrayList<>(List.of("BODY-0"));
        for (int i = 0; i < candidates.size(); i++) {
            String c = candidates.get(i);
            mbox.append(c).append('\n').append('\n').append("BODY-").append(i + 1).append('\n');
            if (FromLine.isValid(c)) {
                expected.add("BODY-" + (i + 1));
            }
        }
        Path dir = Peers.newDir("fromline");
        Path file = dir.resolve("mbox");
        Files.writeString(file, mbox, StandardCharsets.ISO_8859_1);
        Peers.Result r = Peers.run(Peers.asUser("env", "HOME=" + Peers.HOME, "sh", "-c", "cd && exec \"$0\" \"$1\"",
                Peers.DIST.resolve("cclient-scan").toString(), Peers.HOME.relativize(file).toString()), 60);
        assertEquals(0, r.status(), r.toString());
        List<String> lines = r.out().lines().toList();
        List<String> cclient = lines.subList(1, lines.size());
        assertEquals(Integer.parseInt(lines.get(0)), cclient.size());
        List<String> diffs = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            String marker = "BODY-" + (i + 1);
            boolean ours = expected.contains(marker);
            boolean theirs = cclient.contains(marker);
            if (ours != theirs) {
                diffs.add((theirs ? "c-client splits, we do not: " : "we split, c-client does not: ")
                        + candidates.get(i).replace("\r", "\\r"));
            }
        }
        assertEquals(List.of(), diffs, "boundary differences with c-client");
        assertEquals(expected, cclient);
        assertTrue(expected.size() > VALID_FORMATS.size(), "the mutants should include some valid lines too");
        System.out.println("FromLineIT: " + candidates.size() + " candidates, " + (expected.size() - 1)
                + " boundaries, identical to c-client");
    }
}
