package org.spoollock.store.mbox;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

import org.spoollock.lock.MailboxLockOptions;

/**
 * Group commit for threads of one JVM delivering to one mailbox: each {@link #deliver} returns only
 * once its message is fsynced, but messages that arrive while a write is in progress go together in
 * the next one, under one lock, one write and one fsync. The first waiting thread does the work for
 * the group (no background thread); if the append fails, every message of that group gets the error
 * and the leader carries on with whatever queued meanwhile.
 */
public final class DeliveryQueue {
    private static final ConcurrentHashMap<String, DeliveryQueue> QUEUES = new ConcurrentHashMap<>();
    private static final int MAX_BATCH_MESSAGES = 4096;
    private static final long MAX_BATCH_BYTES = 64L << 20;

    private record Pending(byte[] message, CompletableFuture<Long> done) {
    }

    private final Path mailbox;
    private final MailboxLockOptions lockOptions;
    private final Duration timeout;
    private final List<Pending> waiting = new ArrayList<>();
    private boolean writing;

    private DeliveryQueue(Path mailbox, MailboxLockOptions lockOptions, Duration timeout) {
        this.mailbox = mailbox;
        this.lockOptions = lockOptions;
        this.timeout = timeout;
    }

    /** The queue of a mailbox in this JVM (one per absolute path; the first caller's options are kept). */
    public static DeliveryQueue of(Path mailbox, MailboxLockOptions lockOptions, Duration timeout) {
        return QUEUES.computeIfAbsent(mailbox.toAbsolutePath().normalize().toString(),
                k -> new DeliveryQueue(mailbox, lockOptions, timeout));
    }

    /**
     * Appends one formatted message ({@link MboxEncoding#format}); returns its offset once it is
     * durable.
     */
    public long deliver(byte[] formatted) throws IOException {
        Pending mine = new Pending(formatted, new CompletableFuture<>());
        boolean lead;
        synchronized (this) {
            waiting.add(mine);
            lead = !writing;
            if (lead) {
                writing = true;
            }
        }
        if (lead) {
            lead();
        }
        try {
            return mine.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for delivery to " + mailbox
                    + " (the message may still be delivered)");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) c;
        }
    }

    /** Writes groups until nobody waits. */
    private void lead() {
        while (true) {
            List<Pending> batch = new ArrayList<>();
            synchronized (this) {
                long bytes = 0;
                while (!waiting.isEmpty() && batch.size() < MAX_BATCH_MESSAGES
                        && (batch.isEmpty() || bytes + waiting.get(0).message().length <= MAX_BATCH_BYTES)) {
                    Pending p = waiting.remove(0);
                    bytes += p.message().length;
                    batch.add(p);
                }
                if (batch.isEmpty()) {
                    writing = false;
                    return;
                }
            }
            List<byte[]> messages = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                messages.add(p.message());
            }
            try {
                long offset = MboxAppender.append(mailbox, messages, lockOptions, timeout);
                for (Pending p : batch) {
                    p.done().complete(offset);
                    offset += p.message().length;
                }
            } catch (Throwable t) {
                // every caller of the group gets the failure through its own future (the leader too), and
                // the leader goes on with the next group: callers that queued meanwhile are never stranded
                for (Pending p : batch) {
                    p.done().completeExceptionally(t);
                }
            }
        }
    }
}
