package org.spoollock.store.tenex;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.Importer;

/** Into tenex or mtx: only configured keywords (the others noted once each). */
final class TenexImporter implements Importer {
    private final Path dst;
    private final TenexFormat format;
    private final TenexMailbox.Options options;
    private final List<String> notes = new ArrayList<>();
    private final TenexBatch batch;

    TenexImporter(Path dst, TenexFormat format, TenexMailbox.Options options) {
        this.dst = dst;
        this.format = format;
        this.options = options;
        this.batch = new TenexBatch(format, options.keywords());
    }

    @Override
    public void add(Item it) {
        List<String> kept = new ArrayList<>();
        for (String k : it.keywords()) {
            if (options.keywords().stream().anyMatch(c -> c.equalsIgnoreCase(k))) {
                kept.add(k);
            } else {
                String note = "keyword " + k + " is not configured for " + format.driver() + ": not copied";
                if (!notes.contains(note)) {
                    notes.add(note);
                }
            }
        }
        batch.add(it.head(), it.body(), it.offset(), it.length(), it.flags(), kept, it.date());
    }

    @Override
    public long bytes() {
        return batch.bytes();
    }

    @Override
    public int messages() {
        return batch.messages();
    }

    @Override
    public int write() throws IOException {
        int k = batch.messages();
        if (k > 0) {
            TenexMailbox.append(dst, format, batch, true, false, options);
            batch.clear();
        }
        return k;
    }

    @Override
    public List<String> notes() {
        return List.copyOf(notes);
    }
}
