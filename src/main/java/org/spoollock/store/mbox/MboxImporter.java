package org.spoollock.store.mbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.Importer;
import org.spoollock.store.StoreOptions;

/** Into an mbox or mmdf file: c-client's checkpointed layout (status headers, X-UID), the first message carrying X-IMAPbase. */
final class MboxImporter implements Importer {
    private final Path dst;
    private final List<String> names;
    private final long validity;
    private final long uidLast;
    private boolean first;
    private final StoreOptions options;
    private final Framing framing;
    private final List<byte[]> out = new ArrayList<>();
    private long bytes;

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
        out.add(m);
        bytes += m.length;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public int messages() {
        return out.size();
    }

    @Override
    public int write() throws IOException {
        int k = out.size();
        if (k > 0) {
            MboxAppender.append(dst, out, options.lock().withCreateMissing(true), options.timeout(), false, framing);
            out.clear();
            bytes = 0;
        }
        return k;
    }

    @Override
    public List<String> notes() {
        return List.of();
    }
}
