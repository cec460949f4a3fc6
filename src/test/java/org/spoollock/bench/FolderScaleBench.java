package org.spoollock.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.event.ConnectionAdapter;
import jakarta.mail.event.ConnectionEvent;
import jakarta.mail.search.AndTerm;
import jakarta.mail.search.ComparisonTerm;
import jakarta.mail.search.FlagTerm;
import jakarta.mail.search.FromStringTerm;
import jakarta.mail.search.MessageIDTerm;
import jakarta.mail.search.SearchTerm;
import jakarta.mail.search.SentDateTerm;
import jakarta.mail.search.SubjectTerm;

/**
 * The Jakarta Mail provider at a server's scale (issue 18 part 3), through the jakarta.mail API only. Not a
 * test (it asserts nothing about speed or size); run by {@code spooltest/bench/mbox.py}, one JSON object on
 * stdout per run.
 *
 * <pre>
 *   FolderScaleBench open FILE             folder.open(READ_ONLY) + getMessageCount: ms, heap per message
 *   FolderScaleBench search FILE WARMUP N  Folder.search with header, date and flag terms: ms and MB/s each
 *   FolderScaleBench sessions DIR          200 folders on 200 mailboxes + 20 on one (1 read-write, 19 read-only):
 *                                          heap per message, class histogram, the kiss of death inside the JVM
 * </pre>
 */
public final class FolderScaleBench {
    private FolderScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length > 0 ? args[0] : "") {
            case "open" -> open(Path.of(args[1]));
            case "search" -> search(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "sessions" -> sessions(Path.of(args[1]));
            default -> {
                System.err.println("usage: FolderScaleBench open FILE | search FILE WARMUP N | sessions DIR");
                System.exit(64);
            }
        }
    }

    private static Session session(Path sessionDir) {
        Properties p = new Properties();
        p.setProperty("mail.mbox.sessiondir", sessionDir.toString());
        p.setProperty("mail.mbox.kisswait", "5");
        return Session.getInstance(p);
    }

    /** Heap in use after full collections (the figure a heap histogram adds up to). */
    private static long usedHeap() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(20);
            Runtime r = Runtime.getRuntime();
            best = Math.min(best, r.totalMemory() - r.freeMemory());
        }
        return best;
    }

    private static void open(Path file) throws Exception {
        Path dir = Files.createTempDirectory("scale-open");
        Session s = session(dir);
        // the provider's one-time state (classes' statics, the watcher) before the measured open, so that the
        // heap figure is the folder's own
        Path tiny = dir.resolve("tiny");
        mbox(tiny, 1, "tiny");
        Folder t = s.getFolder(new URLName("mbox:" + tiny));
        t.open(Folder.READ_ONLY);
        t.getMessageCount();
        t.close(false);
        long before = usedHeap();
        long t0 = System.nanoTime();
        Folder f = s.getFolder(new URLName("mbox:" + file));
        f.open(Folder.READ_ONLY);
        int count = f.getMessageCount();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long after = usedHeap();
        // reading the last message's subject: the index is usable, nothing else was loaded
        String last = f.getMessage(count).getSubject();
        f.close(false);
        System.out.println("{\"file_bytes\": " + Files.size(file) + ", \"count\": " + count + ", \"open_ms\": " + ms
                + ", \"heap_bytes\": " + (after - before) + ", \"bytes_per_message\": "
                + String.format(Locale.ROOT, "%.1f", (after - before) / (double) Math.max(1, count))
                + ", \"max_heap\": " + Runtime.getRuntime().maxMemory() + ", \"last_subject_read\": " + (last != null) + "}");
    }

    private static void search(Path file, int warmup, int n) throws Exception {
        Session s = session(Files.createTempDirectory("scale-search"));
        Folder f = s.getFolder(new URLName("mbox:" + file));
        f.open(Folder.READ_ONLY);
        int count = f.getMessageCount();
        // patterns taken from the mailbox itself, so that each term finds something
        Message middle = f.getMessage(count / 2);
        String subjectWord = middle.getSubject() == null ? "the" : middle.getSubject().split(" ")[0];
        String from = middle.getFrom() == null ? "example" : middle.getFrom()[0].toString().replaceAll(".*<|>.*", "");
        String id = middle.getHeader("Message-ID") == null ? "<none>" : middle.getHeader("Message-ID")[0];
        Date sent = middle.getSentDate() == null ? new Date() : middle.getSentDate();
        f.close(false);
        f.open(Folder.READ_ONLY); // no message object made before the searches
        Map<String, SearchTerm> terms = new LinkedHashMap<>();
        terms.put("subject", new SubjectTerm(subjectWord));
        terms.put("from", new FromStringTerm(from));
        terms.put("message-id", new MessageIDTerm(id));
        terms.put("sent-date", new SentDateTerm(ComparisonTerm.GE, sent));
        terms.put("unseen", new FlagTerm(new Flags(Flags.Flag.SEEN), false));
        terms.put("subject-and-from-and-unseen", new AndTerm(new SearchTerm[] {new SubjectTerm(subjectWord),
                new FromStringTerm(from), new FlagTerm(new Flags(Flags.Flag.SEEN), false)}));
        long bytes = Files.size(file);
        StringBuilder out = new StringBuilder("{\"file_bytes\": " + bytes + ", \"count\": " + count + ", \"n\": " + n
                + ", \"terms\": {");
        String sep = "";
        for (Map.Entry<String, SearchTerm> t : terms.entrySet()) {
            int found = -1;
            for (int i = 0; i < warmup; i++) {
                found = f.search(t.getValue()).length;
            }
            long[] ns = new long[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                found = f.search(t.getValue()).length;
                ns[i] = System.nanoTime() - t0;
            }
            Arrays.sort(ns);
            long median = ns[n / 2];
            out.append(sep).append('"').append(t.getKey()).append("\": {\"found\": ").append(found)
                    .append(", \"median_ms\": ").append(String.format(Locale.ROOT, "%.1f", median / 1e6))
                    .append(", \"mb_per_s\": ").append(String.format(Locale.ROOT, "%.0f", bytes / 1e6 / (median / 1e9)))
                    .append('}');
            sep = ", ";
        }
        // the same subject term the way Folder.search does it by default: term.match on every message
        long t0 = System.nanoTime();
        int found = 0;
        for (Message m : f.getMessages()) {
            if (terms.get("subject").match(m)) {
                found++;
            }
        }
        long bruteNs = System.nanoTime() - t0;
        out.append("}, \"message_by_message\": {\"term\": \"subject\", \"found\": ").append(found)
                .append(", \"ms\": ").append(String.format(Locale.ROOT, "%.1f", bruteNs / 1e6)).append(", \"mb_per_s\": ")
                .append(String.format(Locale.ROOT, "%.0f", bytes / 1e6 / (bruteNs / 1e9))).append("}}");
        f.close(false);
        System.out.println(out);
    }

    /** Writes an mbox of {@code n} small messages. */
    private static void mbox(Path p, int n, String tag) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(p), 1 << 16)) {
            for (int i = 1; i <= n; i++) {
                out.write(("From " + tag + "@example.org Thu Dec  3 08:00:00 2026\nFrom: " + tag + "@example.org\nSubject: " + tag
                        + " message " + i + "\nMessage-ID: <" + i + "." + tag + "@scale>\n\nbody " + i + "\n\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    private static void sessions(Path dir) throws Exception {
        int boxes = 200;
        int perBox = 1000;
        int shared = 20;
        int sharedMessages = 20_000;
        Session s = session(dir);
        for (int i = 0; i < boxes; i++) {
            mbox(dir.resolve("box" + i), perBox, "u" + i);
        }
        Path one = dir.resolve("shared");
        mbox(one, sharedMessages, "shared");
        long before = usedHeap();
        List<Folder> open = new ArrayList<>();
        long messages = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < boxes; i++) {
            Folder f = s.getFolder(new URLName("mbox:" + dir.resolve("box" + i)));
            f.open(Folder.READ_ONLY);
            messages += f.getMessageCount();
            open.add(f);
        }
        Folder writer = s.getFolder(new URLName("mbox:" + one));
        writer.open(Folder.READ_WRITE);
        messages += writer.getMessageCount();
        open.add(writer);
        for (int i = 1; i < shared; i++) {
            Folder f = s.getFolder(new URLName("mbox:" + one));
            f.open(Folder.READ_ONLY);
            messages += f.getMessageCount();
            open.add(f);
        }
        long openMs = (System.nanoTime() - t0) / 1_000_000;
        long after = usedHeap();
        String histogram = histogram();
        // the kiss of death inside the JVM: a second read-write open asks the first, which says so and goes read-only
        LinkedBlockingQueue<Integer> told = new LinkedBlockingQueue<>();
        writer.addConnectionListener(new ConnectionAdapter() {
            @Override
            public void disconnected(ConnectionEvent e) {
                told.add(e.getType());
            }
        });
        long k0 = System.nanoTime();
        Folder second = s.getFolder(new URLName("mbox:" + one));
        second.open(Folder.READ_WRITE);
        long kissMs = (System.nanoTime() - k0) / 1_000_000;
        boolean toldOnce = told.poll(10, TimeUnit.SECONDS) != null;
        boolean firstReadOnly = writer.getMode() == Folder.READ_ONLY;
        second.close(false);
        for (Folder f : open) {
            f.close(false);
        }
        System.out.println("{\"folders\": " + open.size() + ", \"mailboxes\": " + (boxes + 1) + ", \"messages\": " + messages
                + ", \"open_ms\": " + openMs + ", \"heap_bytes\": " + (after - before) + ", \"bytes_per_message\": "
                + String.format(Locale.ROOT, "%.1f", (after - before) / (double) messages)
                + ", \"kiss_ms\": " + kissMs + ", \"kiss_told\": " + toldOnce + ", \"first_read_only\": " + firstReadOnly
                + ", \"histogram\": " + histogram + "}");
    }

    /** The top of a heap histogram of this JVM (jcmd GC.class_histogram), as a JSON array of strings. */
    private static String histogram() {
        try {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(ProcessHandle.current().pid()),
                    "GC.class_histogram").redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.matches("\\s*\\d+:.*") || l.startsWith("Total")).limit(12).collect(Collectors.toList());
            p.waitFor(30, TimeUnit.SECONDS);
            return lines.stream().map(l -> "\"" + l.trim().replaceAll("\\s+", " ").replace("\"", "'") + "\"")
                    .collect(Collectors.joining(", ", "[", "]"));
        } catch (IOException | InterruptedException e) {
            return "[\"no histogram: " + e.getMessage().replace("\"", "'") + "\"]";
        }
    }
}
