package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * Deliveries into one mailbox at the same time from spoollock (CLI processes), c-client (mail_append),
 * procmail (an MDA with a ":0:" recipe, its dot-lock) and Python's mailbox (its dot-lock + lockf):
 * every message arrives exactly once, and c-client, Python and we count the same.
 */
class MboxConcurrentDeliveryIT {
    private static final int EACH = 12;

    private static String quoted(List<String> cmd) {
        StringBuilder b = new StringBuilder();
        for (String a : cmd) {
            b.append(b.length() == 0 ? "" : " ").append('\'').append(a.replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }

    @Test
    void nothingIsLostOrDuplicated() throws Exception {
        Path dir = Peers.newDir("deliver-all");
        Path box = dir.resolve("mbox");
        // c-client checks the format without a lock before it appends; on an empty mailbox it can catch
        // another writer's first From_ line half written and refuse ("not in valid mailbox format"). A
        // mailbox that starts with a message avoids that race of c-client's.
        Files.writeString(box, "From seed@example.org Mon Nov 23 10:00:00 2026\nMessage-ID: <seed@concurrent>\n\nseed\n\n");
        Path rc = dir.resolve("procmailrc");
        Files.writeString(rc, ":0:\n$MBOX\n");
        Peers.chown(rc);
        List<List<String>> peers = new ArrayList<>();
        for (String who : List.of("ours-a", "ours-b", "cclient", "procmail")) {
            StringBuilder sh = new StringBuilder("set -e; i=0; while [ $i -lt " + EACH + " ]; do ");
            sh.append("printf 'From: %s@example.org\\nSubject: %s %s\\nMessage-ID: <%s-%s@concurrent>\\n\\nFrom the body of %s\\n'"
                    + " " + who + " " + who + " $i " + who + " $i $i > " + dir + "/msg-" + who + "; ");
            switch (who) {
                case "cclient" -> sh.append("cd; ").append(Peers.DIST.resolve("cclient-mbox")).append(" append ")
                        .append(Peers.HOME.relativize(box)).append(' ').append(dir).append("/msg-").append(who).append("; ");
                case "procmail" -> sh.append("procmail -f procmail@example.org -m MBOX=").append(box).append(' ').append(rc).append(" < ")
                        .append(dir).append("/msg-").append(who).append("; ");
                default -> sh.append(quoted(Peers.ours("deliver", box.toString()))).append(" < ").append(dir)
                        .append("/msg-").append(who).append("; ");
            }
            sh.append("i=$((i+1)); done");
            peers.add(Peers.asUser("env", "HOME=" + Peers.HOME, "sh", "-c", sh.toString()));
        }
        peers.add(Peers.asUser("python3", Peers.DIST.resolve("pymbox.py").toString(), "deliver", box.toString(),
                String.valueOf(EACH), "python"));
        ExecutorService pool = Executors.newFixedThreadPool(peers.size());
        try {
            List<Future<Peers.Result>> running = new ArrayList<>();
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
        int total = EACH * peers.size() + 1;
        // every Message-ID exactly once, as a header at the start of a line
        Map<String, Integer> seen = new TreeMap<>();
        Peers.countMessageIds(Files.readString(box, StandardCharsets.ISO_8859_1), seen);
        Map<String, Integer> wrong = new TreeMap<>();
        seen.forEach((k, v) -> {
            if (v != 1) {
                wrong.put(k, v);
            }
        });
        assertEquals(Map.of(), wrong, "duplicated");
        assertEquals(total, seen.size(), "delivered: " + seen.keySet());
        Peers.Result count = Peers.run(Peers.asUser(Peers.ours("count", box.toString())), 60);
        assertEquals(String.valueOf(total), count.out().trim(), count.toString());
        Peers.Result cc = Peers.cclientMbox("list", box);
        assertEquals(0, cc.status(), cc.toString());
        assertEquals(String.valueOf(total), cc.out().lines().findFirst().orElseThrow().split(" ")[5]);
        Peers.Result py = Peers.run(Peers.asUser("python3", Peers.DIST.resolve("pymbox.py").toString(), "scan", box.toString()), 60);
        assertEquals(String.valueOf(total), py.out().lines().findFirst().orElseThrow(), py.toString());
        Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", box.toString())), 60);
        assertEquals(0, check.status(), check.toString());
    }
}
