package org.spoollock.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Changes to an open mailbox (flags, keywords, appends, expunge), checked here once for every format
 * and applied in the order given by {@link #commit}, which returns when they are durable: a journalled
 * rewrite for mbox, in-place flag writes for tenex/mtx, whatever a format does underneath.
 */
public final class Changes {
    /** One change, in the order the caller made it. */
    public sealed interface Change permits SetFlags, Append, Expunge {
    }

    /** Sets {@code add} and clears {@code remove} (Flags bits), adds and removes keywords, on {@code msgnos}. */
    public record SetFlags(List<Integer> msgnos, int add, int remove, List<String> addKeywords, List<String> removeKeywords)
            implements Change {
    }

    public record Append(NewMessage message) implements Change {
    }

    /** Removes every message flagged \Deleted at that point. */
    public record Expunge() implements Change {
    }

    /** What a commit did: the numbers (before the expunge, ascending) of the messages it removed, the UIDs it gave. */
    public record Committed(List<Integer> expunged, List<Long> appendedUids) {
    }

    /** What a format does to apply a group of changes durably. */
    @FunctionalInterface
    public interface Applier {
        Committed apply(List<Change> changes) throws IOException;
    }

    private final Mailbox mailbox;
    private final Applier applier;
    private final List<Change> changes = new ArrayList<>();
    private boolean committed;

    public Changes(Mailbox mailbox, Applier applier) {
        this.mailbox = mailbox;
        this.applier = applier;
    }

    public Changes setFlags(Collection<Integer> msgnos, int add, int remove, Collection<String> addKeywords,
                            Collection<String> removeKeywords) throws StorageException {
        requireWritable();
        if (((add | remove) & ~Flags.ALL) != 0) {
            throw new StorageException(StorageException.Category.INVALID_INPUT, "not system flag bits: "
                    + Integer.toOctalString(add | remove));
        }
        int count = mailbox.index().count();
        for (int n : msgnos) {
            if (n < 1 || n > count) {
                throw new StorageException(StorageException.Category.INVALID_INPUT, mailbox.ref() + ": message " + n
                        + " does not exist (" + count + " messages)");
            }
        }
        List<String> add2 = Keywords.requireValid(addKeywords);
        List<String> remove2 = Keywords.requireValid(removeKeywords);
        if (!add2.isEmpty() && !mailbox.status().anyKeyword()) {
            requirePermanent(add2);
        }
        changes.add(new SetFlags(List.copyOf(msgnos), add, remove, add2, remove2));
        return this;
    }

    public Changes append(NewMessage m) throws StorageException {
        requireWritable(); // keywords are valid: NewMessage checked them
        if (!mailbox.status().anyKeyword()) {
            requirePermanent(m.keywords());
        }
        changes.add(new Append(m));
        return this;
    }

    public Changes expunge() throws StorageException {
        requireWritable();
        changes.add(new Expunge());
        return this;
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** Applies the changes; durable when it returns. A Changes commits once. */
    public Committed commit() throws IOException {
        if (committed) {
            throw new IllegalStateException("already committed");
        }
        committed = true;
        if (changes.isEmpty()) {
            return new Committed(List.of(), List.of());
        }
        return applier.apply(List.copyOf(changes));
    }

    private void requireWritable() throws StorageException {
        if (!mailbox.readWrite()) {
            throw new StorageException(StorageException.Category.PERMISSION, mailbox.ref() + " is open read-only");
        }
    }

    private void requirePermanent(List<String> keywords) throws StorageException {
        List<String> known = mailbox.status().keywords();
        for (String k : keywords) {
            if (known.stream().noneMatch(k::equalsIgnoreCase)) {
                throw new StorageException(StorageException.Category.INVALID_INPUT, mailbox.ref() + ": keyword \"" + k
                        + "\" cannot be kept by " + mailbox.driver().name() + " (it keeps only " + known + ")");
            }
        }
    }
}
