package org.spoollock.bench;

import static org.spoollock.bench.BenchSupport.say;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.store.DeliveryQueue;
import org.spoollock.store.mbox.MboxAppender;
import org.spoollock.store.mbox.MboxEncoding;
import org.spoollock.store.mbox.Quoting;

/**
 * Delivery rate into an mbox with c-client's full locks and an fsync per append (not a test: it
 * asserts nothing about speed). Run by {@code spooltest/bench/mbox.py}, which compares it with the
 * raw C floor {@code spooltest/c/bench-deliver-raw.c} and with c-client's own mail_append().
 *
 * <pre>
 *   MboxDeliveryBench serve                       commands on stdin, one JSON line out for each:
 *     single MBOX N        N x MboxAppender.append(MBOX, [one message], defaults, 30 s)
 *     batch MBOX N B       N messages in appends of B (one lock, one write, one fsync per append)
 *     queue MBOX N T       N messages from T threads through the store's DeliveryQueue for MBOX (30 s timeout)
 *     jakarta MBOX N       N x (new MimeMessage from the text, Folder.appendMessages of it), the folder closed
 *     quit
 *   MboxDeliveryBench count DIR K                 K single appends to DIR/count-mbox, untimed (for strace)
 * </pre>
 *
 * Each message is built and formatted inside the timed loop, as a delivery agent does: the same 4 KB
 * text with a Message-ID {@code <java.PID.SEQ@spoollock.bench>} unique across processes (SEQ counts
 * every message this JVM formats), then {@code MboxEncoding.format(raw, sender, now, 0, [], MBOXO)} (the zone looked up once);
 * the text is padded so the formatted message, From_ line and separating newline included, is 4096
 * bytes, as the C floor's. The JSON line gives CLOCK_MONOTONIC (System.nanoTime) at the start and end
 * of the timed part, so several processes' figures can be put on one time line.
 */
public final class MboxDeliveryBench {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int SIZE = 4096;
    private static final String SENDER = "bench@spoollock.example";
    private static final MailboxLockOptions OPTIONS = MailboxLockOptions.defaults();
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicLong SEQ = new AtomicLong();
    private static final java.time.ZoneId ZONE = java.time.ZoneId.systemDefault();
    private static final byte[] PID_DOT = (PID + ".").getBytes(StandardCharsets.US_ASCII);
    private static byte[] head;
    private static byte[] tail;

    private MboxDeliveryBench() {
    }

    public static void main(String[] args) throws Exception {
        prepare();
        if (args.length == 1 && args[0].equals("serve")) {
            serve();
        } else if (args.length == 3 && args[0].equals("count")) {
            Path mbox = Path.of(args[1]).toAbsolutePath().resolve("count-mbox");
            if (!Files.exists(mbox)) {
                Files.createFile(mbox);
            }
            long k = Long.parseLong(args[2]);
            for (long i = 0; i < k; i++) {
                MboxAppender.append(mbox, List.of(message()), OPTIONS, TIMEOUT);
            }
            System.out.println("{\"mode\": \"count\", \"deliveries\": " + k + "}");
        } else {
            System.err.println("usage: MboxDeliveryBench serve | count DIR K");
            System.exit(64);
        }
    }

    private static void serve() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split(" +");
            if (w[0].equals("quit")) {
                return;
            }
            Path mbox = Path.of(w[1]).toAbsolutePath();
            int n = Integer.parseInt(w[2]);
            long t0;
            long t1;
            long appends;
            switch (w[0]) {
                case "single": {
                    t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        MboxAppender.append(mbox, List.of(message()), OPTIONS, TIMEOUT);
                    }
                    t1 = System.nanoTime();
                    appends = n;
                    break;
                }
                case "batch": {
                    int b = Integer.parseInt(w[3]);
                    appends = 0;
                    t0 = System.nanoTime();
                    for (int done = 0; done < n; done += b) {
                        int k = Math.min(b, n - done);
                        List<byte[]> batch = new ArrayList<>(k);
                        for (int i = 0; i < k; i++) {
                            batch.add(message());
                        }
                        MboxAppender.append(mbox, batch, OPTIONS, TIMEOUT);
                        appends++;
                    }
                    t1 = System.nanoTime();
                    break;
                }
                case "jakarta": {
                    // a program that only knows jakarta.mail: a new MimeMessage and one appendMessages call
                    // per message, the folder closed (the issue's measure of the provider's APPEND)
                    jakarta.mail.Session session = jakarta.mail.Session.getInstance(new java.util.Properties());
                    jakarta.mail.Folder folder = session.getFolder(new jakarta.mail.URLName("mbox:" + mbox));
                    t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        jakarta.mail.internet.MimeMessage m = new jakarta.mail.internet.MimeMessage(session,
                                new java.io.ByteArrayInputStream(raw()));
                        folder.appendMessages(new jakarta.mail.Message[] {m});
                    }
                    t1 = System.nanoTime();
                    appends = n;
                    break;
                }
                case "queue": {
                    int threads = Integer.parseInt(w[3]);
                    long[] span = queue(mbox, n, threads);
                    t0 = span[0];
                    t1 = span[1];
                    appends = -1; // not known from outside: the queue groups as messages arrive
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown command " + w[0]);
            }
            say("{\"kind\": \"" + w[0] + "\", \"pid\": " + PID + ", \"n\": " + n + ", \"appends\": " + appends
                    + ", \"t0_ns\": " + t0 + ", \"t1_ns\": " + t1 + ", \"ns_per_message\": " + (t1 - t0) / n
                    + ", \"messages_per_s\": " + String.format(Locale.ROOT, "%.1f", n * 1e9 / (t1 - t0)) + "}");
        }
    }

    /** T threads deliver N messages between them through the mailbox's DeliveryQueue; returns [t0, t1]. */
    private static long[] queue(Path mbox, int n, int threads) throws Exception {
        DeliveryQueue q = new DeliveryQueue.Registry(false, org.spoollock.store.StoreOptions.defaults().withLock(OPTIONS)
                .withTimeout(TIMEOUT)).of(org.spoollock.store.MailboxRef.of("mbox", mbox));
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int share = n / threads + (t < n % threads ? 1 : 0);
            Thread th = new Thread(() -> {
                try {
                    ready.countDown();
                    go.await();
                    for (int i = 0; i < share; i++) {
                        q.deliver(new org.spoollock.store.NewMessage(raw(), 0, List.of(), ZonedDateTime.now(ZONE), SENDER));
                    }
                } catch (Throwable e) {
                    failed.compareAndSet(null, e);
                }
            }, "deliver-" + t);
            ts.add(th);
            th.start();
        }
        ready.await();
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread th : ts) {
            th.join();
        }
        long t1 = System.nanoTime();
        if (failed.get() != null) {
            throw new IOException("a delivering thread failed", failed.get());
        }
        return new long[] {t0, t1};
    }

    /** One formatted message, 4096 bytes, with the next Message-ID. */
    private static byte[] message() {
        return MboxEncoding.format(raw(), SENDER, ZonedDateTime.now(ZONE), 0, List.of(), Quoting.MBOXO);
    }

    /** The next message's text (formatted, 4096 bytes). */
    private static byte[] raw() {
        byte[] raw = new byte[head.length + PID_DOT.length + 10 + tail.length];
        System.arraycopy(head, 0, raw, 0, head.length);
        System.arraycopy(PID_DOT, 0, raw, head.length, PID_DOT.length);
        long seq = SEQ.incrementAndGet();
        for (int i = head.length + PID_DOT.length + 9; i >= head.length + PID_DOT.length; i--, seq /= 10) {
            raw[i] = (byte) ('0' + seq % 10); // SEQ as 10 digits
        }
        System.arraycopy(tail, 0, raw, head.length + PID_DOT.length + 10, tail.length);
        return raw;
    }

    /** The message text around its Message-ID, the body padded so a formatted message is SIZE bytes. */
    private static void prepare() {
        String host = "localhost";
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            // keep localhost
        }
        String date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now());
        head = ("Return-Path: <" + SENDER + ">\n"
                + "Received: from localhost by " + host + " with LMTP; " + date + "\n"
                + "From: Bench Sender <" + SENDER + ">\n"
                + "To: spooltest@" + host + "\n"
                + "Subject: delivery benchmark\n"
                + "Date: " + date + "\n"
                + "Message-ID: <java.").getBytes(StandardCharsets.US_ASCII);
        String[] body = {
            "Hello,\n",
            "this is a delivery benchmark message of exactly four kilobytes, delivered by spoollock's\n",
            "MboxAppender for the mbox benchmark. Its lines are plain text of ordinary length, as mail is.\n",
            "\n",
            "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\n",
            "Sphinx of black quartz, judge my vow. How vexingly quick daft zebras jump!\n",
        };
        StringBuilder t = new StringBuilder("@spoollock.bench>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n");
        for (int i = 0; t.length() + head.length < SIZE - 400; i = (i + 1) % body.length) {
            t.append(body[i]);
        }
        tail = (t + "x\n").getBytes(StandardCharsets.US_ASCII);
        int missing = SIZE - message().length;
        SEQ.set(0);
        if (missing < 0) {
            throw new IllegalStateException("message template too long by " + -missing);
        }
        StringBuilder pad = new StringBuilder(t);
        String letters = "abcdefghijklmnopqrstuvwxyz ";
        for (int col = 0; col < missing; col++) {
            pad.append(col % 72 == 71 ? '\n' : letters.charAt(col % letters.length()));
        }
        tail = (pad + "x\n").getBytes(StandardCharsets.US_ASCII);
        int size = message().length;
        SEQ.set(0);
        if (size != SIZE) {
            throw new IllegalStateException("formatted message is " + size + " bytes, not " + SIZE);
        }
    }
}
