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
            // the parallel scan too, with part boundaries every few messages (see ParallelScan)
            long part = Math.max(1, Files.size(input) / 7);
            Peers.Result inParts = Peers.run(Peers.asUser(Peers.oursInParts(part, "list", "--long", box.toString())), 60);
            List<String> p = inParts.out().lines().map(FuzzCorpusCClientIT::firstFive).toList();
            if (inParts.status() != 0 || !c.equals(p)) {
                diffs.put(name + " (parsed in parts of " + part + " bytes)", "c-client " + c + "\n    spoollock " + inParts);
            }
            // what we hand out must not have changed the file: a read-only listing writes nothing
            assertEquals(Files.size(input), Files.size(box), name + ": the listings changed the mailbox's size");
        }
        assertEquals(Map.of(), diffs, "corpus inputs where spoollock's listing is not c-client's");
        assertTrue(listed > 20 && refused >= 1, "messages listed " + listed + ", inputs refused " + refused
                + ": the corpus no longer exercises both outcomes");
    }

    /**
     * The mmdf corpus the same way, each input as MmdfFuzzTest reads it (after a delimiter, unless it starts
     * with 0xFF), against c-client's mmdf driver; except the inputs where a line runs into a delimiter, which
     * c-client reads from a buffer it has just reloaded (docs/mmdf.md) and check reports.
     */
    @Test
    void everyMmdfCorpusMailboxListsAsCClientListsIt() throws Exception {
        Path corpus = Peers.TOP.resolve("src/test/resources/org/spoollock/fuzz/MmdfFuzzTestInputs/mmdf");
        List<Path> inputs;
        try (Stream<Path> st = Files.list(corpus)) {
            inputs = st.filter(Files::isRegularFile).sorted().toList();
        }
        Path dir = Peers.newDir("fuzz-corpus-mmdf");
        Map<String, String> diffs = new LinkedHashMap<>();
        int compared = 0;
        for (Path input : inputs) {
            byte[] raw = Files.readAllBytes(input);
            byte[] data = raw.length > 0 && raw[0] == (byte) 0xff ? java.util.Arrays.copyOfRange(raw, 1, raw.length)
                    : concat(new byte[] {1, 1, 1, 1, '\n'}, raw);
            String name = input.getFileName().toString();
            Path box = dir.resolve(name);
            Files.write(box, data);
            Peers.chown(box);
            Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", "mmdf:" + box)), 60);
            if ((check.out() + check.err()).contains("run into the ^A^A^A^A line")) {
                continue;
            }
            Peers.Result theirs = Peers.cclientMbox("list", box);
            Peers.Result ours = Peers.run(Peers.asUser(Peers.ours("list", "--long", "mmdf:" + box)), 60);
            String driver = theirs.status() == 0 ? theirs.out().lines().findFirst().orElse("").replaceAll(".* driver ", "") : "";
            if (!driver.equals("mmdf")) {
                if (ours.status() != 65) {
                    diffs.put(name, "c-client does not read it as mmdf (" + theirs + "), spoollock: " + ours);
                }
                continue;
            }
            List<String> o = ours.out().lines().map(FuzzCorpusCClientIT::firstFive).toList();
            // a message whose header a delimiter ends at once has no size from c-client's parse (0, as ours);
            // cclient-mbox then asks mail_fetchstructure, which measures the header it hands out instead
            List<String> c = new ArrayList<>(cclientMessages(theirs.out()));
            for (int i = 0; i < Math.min(c.size(), o.size()); i++) {
                String[] w = o.get(i).split(" ");
                if (w[3].equals("0")) {
                    String[] x = c.get(i).split(" ");
                    x[3] = "0";
                    c.set(i, String.join(" ", x));
                }
            }
            compared++;
            if (!c.equals(o)) {
                diffs.put(name, "c-client " + c + "\n    spoollock " + o);
            }
        }
        assertEquals(Map.of(), diffs, "mmdf corpus inputs where spoollock's listing is not c-client's");
        assertTrue(compared >= 5, "only " + compared + " mmdf inputs compared");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
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
