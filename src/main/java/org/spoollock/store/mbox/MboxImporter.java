package org.spoollock.store.mbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.BatchedImporter;
import org.spoollock.store.StoreOptions;

/** Into an mbox or mmdf file: c-client's checkpointed layout (status headers, X-UID), the first message carrying X-IMAPbase. */
final class MboxImporter extends BatchedImporter<byte[]> {
    private final Path dst;
    private final List<String> names;
    private final long validity;
    private final long uidLast;
    private boolean first;
    private final StoreOptions options;
    private final Framing framing;

    MboxImporter(Path dst, SourceInfo source, boolean fresh, StoreOptions options, Framing framing) {
        this.framing = framing;
        this.dst = dst;
        this.names = new ArrayList<>(source.keywordNames());
        this.validity = source.uidValidity();
        this.uidLast = source.uidLast();
        this.first = fresh;
        this.options = options;
    }

    @Override
    public void add(Item it) {
        int bits = 0;
        for (String k : it.keywords()) {
            int x = names.indexOf(k);
            if (x >= 0) {
                bits |= 1 << x;
            }
        }
        byte[] m = MboxEncoding.checkpointed(it.content(), it.sender(), it.date(), it.flags(), bits, names, it.uid(),
                validity, uidLast, first, Quoting.MBOXO, framing);
        first = false;
        queue(m, m.length);
    }

    @Override
    protected void writeBatch(List<byte[]> batch) throws IOException {
        MboxAppender.append(dst, batch, options.lock().withCreateMissing(true), options.timeout(), false, framing);
    }

    @Override
    public List<String> notes() {
        return List.of();
    }
}
