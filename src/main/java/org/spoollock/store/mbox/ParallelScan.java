package org.spoollock.store.mbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A whole mbox parsed on several cores, with exactly the result of one {@link MboxParser} over the file.
 *
 * <p>Why it can be split: a blank line ends a header, and nothing else does, so after any blank line the
 * parse is in a message's text whatever came before; there the next From_ line c-client accepts starts a
 * message. So each boundary is found by reading from a nominal offset to the next blank line, then to
 * the next accepted From_ line, and the file is parsed in parts from those boundaries, each by the same
 * parser. What a part cannot decide alone is deferred and replayed in file order by the lead (the part
 * from the file's start), as a whole parse would have met it: the X-UID rule, which depends on the UIDs
 * before; UIDs for messages without one; warnings, which name the message's number. The keyword list
 * (message 1's X-IMAPbase) is handed from the lead to the parts as soon as it has read that header.
 *
 * <p>Only mbox framing (mmdf's backing-up rules have no such sync point), only whole files (a mailbox's
 * new tail is parsed by one parser), only when worth it. System properties: {@code spoollock.parse.threads}
 * (default: the available processors; 1 parses on the calling thread only) and
 * {@code spoollock.parse.chunkBytes} (default: parts of at least 16 MiB, at most four per processor; when
 * set, parts of that size however many: the tests use a few bytes, to put boundaries everywhere). Threads:
 * the calling thread and helpers in the common fork-join pool, taking parts in turn.
 */
final class ParallelScan {
    private static final long MIN_PART = 16L << 20;
    /** The buffer for finding message 1 and the boundaries: each is a few KB from where it starts reading. */
    private static final int SEEK_BUFFER = 64 << 10;

    private ParallelScan() {
    }

    /** A part's parse: its messages, and what it deferred. */
    private record Part(MboxIndex index, List<MboxParser.Deferred> deferred) {
    }

    /**
     * The whole file's index parsed in parts on up to {@code threads} threads (parts of {@code chunk} bytes;
     * 0: the default sizes), or null when it is better (or only possible) to parse it in one piece. The
     * system properties are read by {@link MboxIndex#scan(FileChannel, Path, Framing)}.
     */
    static MboxIndex scan(FileChannel ch, Path name, long size, int threads, long chunk) throws IOException {
        long parts = chunk > 0 ? size / chunk : Math.min(4L * threads, size / MIN_PART);
        if (threads < 2 || parts < 2) {
            return null;
        }
        long first = firstMessage(ch, size);
        if (first < 0) {
            return null; // not an mbox (or empty): the one-piece parse says so, as it always has
        }
        long[] at = boundaries(ch, size, first, (int) Math.min(parts, Integer.MAX_VALUE - 1));
        if (at.length == 0) {
            return null;
        }
        return parse(ch, name, size, at, threads);
    }

    /** Where message 1's From_ line starts, or -1 if the file does not start like an mbox. */
    private static long firstMessage(FileChannel ch, long size) throws IOException {
        LineReader in = new LineReader(ch, 0, size, SEEK_BUFFER);
        if (!in.skipBlank() || in.indent() > 0) {
            return -1;
        }
        long at = in.position();
        Line l = in.next();
        return l != null && FromLine.isValid(l.buf, l.start, l.end) ? at : -1;
    }

    /** The message boundaries found from {@code parts - 1} evenly spread offsets after message 1's From_ line. */
    private static long[] boundaries(FileChannel ch, long size, long first, int parts) throws IOException {
        List<Long> found = new ArrayList<>();
        long after = first + 1;
        for (int k = 1; k < parts; k++) {
            long from = Math.max(size / parts * k, after);
            if (from >= size) {
                break;
            }
            long b = boundaryFrom(ch, from, size);
            if (b < 0) {
                break;
            }
            found.add(b);
            after = b + 1;
        }
        return found.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The first message boundary after the line that holds byte {@code from - 1}: the first accepted From_
     * line after a blank line, or -1 if there is none before the end.
     */
    private static long boundaryFrom(FileChannel ch, long from, long size) throws IOException {
        LineReader in = new LineReader(ch, from - 1, size, SEEK_BUFFER);
        in.next(); // the rest of the line byte from - 1 is in (just its newline if it ends there)
        boolean blank = false;
        while (true) {
            long at = in.position();
            Line l = in.next();
            if (l == null) {
                return -1;
            }
            if (l.isEmpty()) {
                blank = true;
            } else if (blank && FromLine.isValid(l.buf, l.start, l.end)) {
                return at;
            }
        }
    }

    private static MboxIndex parse(FileChannel ch, Path name, long size, long[] at, int threads) throws IOException {
        int n = at.length;
        Part[] parts = new Part[n];
        Throwable[] failed = new Throwable[n];
        CompletableFuture<List<String>> keywords = new CompletableFuture<>();
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            byte[] buffer = null; // one per thread, for each part it takes in turn
            for (int k = next.getAndIncrement(); k < n; k = next.getAndIncrement()) {
                try {
                    if (buffer == null) {
                        buffer = new byte[LineReader.CHUNK];
                    }
                    MboxIndex index = new MboxIndex(Framing.UNIX);
                    index.keywordNames.addAll(keywords.join());
                    index.parsedSize = at[k];
                    MboxParser p = new MboxParser(index, name, MboxParser.Role.PART);
                    p.parse(ch, k + 1 < n ? at[k + 1] : size, buffer);
                    parts[k] = new Part(index, p.deferred());
                } catch (IOException | RuntimeException | Error e) {
                    failed[k] = e;
                }
            }
        };
        // helpers first: the lead below is the caller's, and the parts wait for its keyword list
        List<CompletableFuture<Void>> helpers = new ArrayList<>();
        for (int h = 0; h < Math.min(threads - 1, n); h++) {
            helpers.add(CompletableFuture.runAsync(worker, ForkJoinPool.commonPool()));
        }
        MboxIndex lead = new MboxIndex(Framing.UNIX);
        MboxParser leader = new MboxParser(lead, name, MboxParser.Role.LEAD);
        leader.onKeywordsKnown(keywords::complete);
        try {
            leader.parse(ch, at[0]);
            keywords.complete(List.copyOf(lead.keywordNames));
        } catch (IOException | RuntimeException | Error e) {
            keywords.completeExceptionally(e);
            worker.run();
            helpers.forEach(CompletableFuture::join);
            throw e;
        }
        worker.run(); // the caller takes parts too, so the scan ends even if the pool is busy elsewhere
        helpers.forEach(CompletableFuture::join);
        for (int k = 0; k < n; k++) {
            if (failed[k] != null) {
                throw rethrow(failed[k]);
            }
            leader.adopt(parts[k].index(), parts[k].deferred());
        }
        leader.finish(size);
        return lead;
    }

    private static IOException rethrow(Throwable t) {
        if (t instanceof IOException e) {
            return e;
        }
        if (t instanceof UncheckedIOException e) {
            return e.getCause();
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        throw (Error) t;
    }
}
