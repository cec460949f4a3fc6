package org.spoollock.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link Importer} that encodes each message as it is added and appends the batch in one call of the
 * format's at {@link #write}: the bookkeeping of the batch (its messages and bytes) written once.
 *
 * @param <T> a message as the format's append takes it
 */
public abstract class BatchedImporter<T> implements Importer {
    private final List<T> batch = new ArrayList<>();
    private long bytes;

    /** Queues an encoded message of {@code size} bytes for the next {@link #write}. */
    protected final void queue(T message, long size) {
        batch.add(message);
        bytes += size;
    }

    /** Appends the batch (never empty) under the format's locks. */
    protected abstract void writeBatch(List<T> batch) throws IOException;

    @Override
    public final long bytes() {
        return bytes;
    }

    @Override
    public final int messages() {
        return batch.size();
    }

    @Override
    public final int write() throws IOException {
        int k = batch.size();
        if (k > 0) {
            writeBatch(batch);
            batch.clear();
            bytes = 0;
        }
        return k;
    }
}
