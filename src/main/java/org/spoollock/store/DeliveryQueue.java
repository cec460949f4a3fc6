package org.spoollock.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Group commit for threads of one JVM delivering to one mailbox, in any format: each {@link #deliver}
 * returns only once its message is durable, but messages that arrive while an append is in progress
 * go together in the next one ({@link MailboxDriver#append}: one lock, one write, one fsync). The first
 * waiting thread does the work for the group (no background thread); different mailboxes have
 * different queues and proceed in parallel.
 *
 * <p>Failures: an append that fails for the mailbox (lock timeout, no space) fails every message of
 * its group, each caller getting the error; one that fails for one message's content (an
 * {@link IllegalArgumentException}: a sender a From_ line cannot carry) is retried message by message,
 * so a bad message never takes others down with it. The leader then goes on with whatever queued
 * meanwhile: nobody is stranded.
 */
public final class DeliveryQueue {
    private static final int MAX_BATCH_MESSAGES = 4096;
    private static final long MAX_BATCH_BYTES = 64L << 20;

    private record Pending(NewMessage message, CompletableFuture<Void> done) {
    }

    private final MailboxRef ref;
    private final boolean create;
    private final StoreOptions options;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean writing;
    /** The mailbox's driver between groups (no probe of the file per group). */
    private final RememberedDriver driver;

    /**
     * A queue into {@code ref}; {@code create}: make the mailbox if it does not exist (in the format
     * {@code ref} forces, else the default one). Callers sharing a mailbox must share the queue (see
     * {@link Registry}).
     */
    public DeliveryQueue(MailboxRef ref, boolean create, StoreOptions options) {
        this.ref = ref;
        this.create = create;
        this.options = options;
        this.driver = new RememberedDriver(ref, () -> Drivers.driverFor(ref));
    }

    public MailboxRef mailbox() {
        return ref;
    }

    /** Appends {@code message}; returns once it is durable, or throws what the append threw. */
    public void deliver(NewMessage message) throws IOException {
        Pending mine = new Pending(message, new CompletableFuture<>());
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
            mine.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for delivery to " + ref
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

    /** Appends groups until nobody waits. */
    private void lead() {
        while (true) {
            List<Pending> batch = new ArrayList<>();
            synchronized (this) {
                long bytes = 0;
                while (!waiting.isEmpty() && batch.size() < MAX_BATCH_MESSAGES
                        && (batch.isEmpty() || bytes + waiting.peek().message().content().length <= MAX_BATCH_BYTES)) {
                    Pending p = waiting.remove();
                    bytes += p.message().content().length;
                    batch.add(p);
                }
                if (batch.isEmpty()) {
                    writing = false;
                    return;
                }
            }
            append(batch);
        }
    }

    private void append(List<Pending> batch) {
        List<NewMessage> messages = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            messages.add(p.message());
        }
        try {
            driver.append(messages, create, options);
            batch.forEach(p -> p.done().complete(null));
        } catch (IllegalArgumentException e) {
            if (batch.size() == 1) {
                batch.get(0).done().completeExceptionally(e);
            } else {
                // the drivers check every message before they lock or write: nothing was appended
                for (Pending p : batch) {
                    append(List.of(p));
                }
            }
        } catch (Throwable t) {
            driver.forget(); // the mailbox may have been replaced by another format's: probe it again
            // every caller of the group gets the failure through its own future (the leader too)
            batch.forEach(p -> p.done().completeExceptionally(t));
        }
    }

    /** The queues of one process, one per mailbox location (absolute, normalised). */
    public static final class Registry {
        private final ConcurrentHashMap<String, DeliveryQueue> queues = new ConcurrentHashMap<>();
        private final boolean create;
        private final StoreOptions options;

        public Registry(boolean create, StoreOptions options) {
            this.create = create;
            this.options = options;
        }

        /**
         * The queue for {@code ref}. Queues are kept for the life of the registry: a few hundred bytes
         * each, one per mailbox delivered to.
         */
        public DeliveryQueue of(MailboxRef ref) {
            String key = ref.path().toAbsolutePath().normalize().toString();
            return queues.computeIfAbsent(key, k -> new DeliveryQueue(ref, create, options));
        }
    }
}
