package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The committed mbox fuzz corpus read by c-client itself, the independent oracle the fuzz test cannot
 * call per input (c-client runs as another user, in a process of its own). MboxFuzzTest checks the
 * parser against its own promises (tiling, sizes of what it hands out, incremental = whole parse);
 * this checks, for every input the fuzzers kept or a regression left, that spoollock's listing is
 * c-client's: the same refusal, or the same messages with the same UIDs, flags, sizes and keywords.
 */
class FuzzCorpusCClientIT {
    private static final Path CORPUS = Peers.TOP.resolve("src/test/resources/org/spoollock/fuzz/MboxFuzzTestInputs/mbox");

    @Test
    void everyCorpusMailboxListsAsCClientListsIt() throws Exception {
        List<Path> inputs;
        try (Stream<Path> s = Files.list(CORPUS)) {
            inputs = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue(inputs.size() >= 10, "the corpus at " + CORPUS + " holds " + inputs.size() + " inputs");
        Path dir = Peers.newDir("fuzz-corpus");
        Map<String, String> diffs = new LinkedHashMap<>();
        int listed = 0;
        int refused = 0;
        for (Path input : inputs) {
            Path box = dir.resolve(input.getFileName().toString());
            Files.copy(input, box);
            Peers.chown(box);
            Peers.Result theirs = Peers.cclientMbox("list", box);
            Peers.Result ours = Peers.run(Peers.asUser(Peers.ours("list", "--long", box.toString())), 60);
            String name = input.getFileName().toString();
            assertTrue(theirs.status() == 0 || theirs.status() == 66, name + ": cclient-mbox list " + theirs);
            String driver = theirs.status() == 0 ? theirs.out().lines().findFirst().orElse("").replaceAll(".* driver ", "") : "";
            if (!driver.equals("unix")) {
                // c-client does not take it as an mbox: no driver at all (66), or its "phile" driver, which shows
                // any file as one message. We must refuse it, with our data-error exit (docs/errors.md)
                refused++;
                if (ours.status() != 65) {
                    diffs.put(name, "c-client does not read it as an mbox (" + (driver.isEmpty() ? theirs.err().strip()
                            : "driver " + driver) + "), spoollock: " + ours);
                }
                continue;
            }
            if (ours.status() != 0) {
                diffs.put(name, "c-client lists it, spoollock: " + ours);
                continue;
            }
            List<String> c = cclientMessages(theirs.out());
            List<String> s = ours.out().lines().map(FuzzCorpusCClientIT::firstFive).toList();
            listed += c.size();
            if (!c.equals(s)) {
                diffs.put(name, "c-client " + c + "\n    spoollock " + s);
            }
            // what we hand out must not have changed the file: a read-only listing writes nothing
            assertEquals(Files.size(input), Files.size(box), name + ": the listings changed the mailbox's size");
        }
        assertEquals(Map.of(), diffs, "corpus inputs where spoollock's listing is not c-client's");
        assertTrue(listed > 20 && refused >= 1, "messages listed " + listed + ", inputs refused " + refused
                + ": the corpus no longer exercises both outcomes");
    }

    /** "msgno uid flags size keywords" of cclient-mbox list's message lines (its first two lines apart). */
    private static List<String> cclientMessages(String out) {
        List<String> lines = out.lines().toList();
        List<String> m = new ArrayList<>();
        for (String l : lines.subList(2, lines.size())) {
            m.add(firstFive(l));
        }
        return m;
    }

    private static String firstFive(String line) {
        String[] w = line.split(" ");
        return String.join(" ", List.of(w).subList(0, Math.min(5, w.length)));
    }
}
