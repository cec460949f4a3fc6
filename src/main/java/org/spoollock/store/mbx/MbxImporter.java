package org.spoollock.store.mbx;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.Importer;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

/**
 * Into mbx, for a migration: each message with its source's UID (so the header's UIDVALIDITY, the
 * source's for a new file, keeps them meaningful), flags and keywords (30 names at most: the rest are
 * noted and left out), recent (no old bit) as mailutil's copy leaves them; appended a batch at a time
 * under c-client's append locks with a note, not fsynced (the copy syncs the file at its end).
 */
final class MbxImporter implements Importer {
    private final MbxDriver driver;
    private final MailboxRef ref;
    private final StoreOptions options;
    private final List<MbxFiles.Out> batch = new ArrayList<>();
    private final List<String> kept = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long bytes;
    private long lastUid;
    /** The target as parsed so far: each batch checks only what was added since (by us or others). */
    private final MbxIndex written = new MbxIndex();

    MbxImporter(MbxDriver driver, MailboxRef ref, StoreOptions options) {
        this.driver = driver;
        this.ref = ref;
        this.options = options;
    }

    @Override
    public void add(Item it) {
        List<String> names = new ArrayList<>();
        for (String k : it.keywords()) {
            boolean known = kept.stream().anyMatch(k::equalsIgnoreCase);
            if (!known && kept.size() < MbxFileHeader.MAX_KEYWORDS && k.length() <= MbxFileHeader.MAX_KEYWORD_LENGTH) {
                kept.add(k);
                known = true;
            }
            if (known) {
                names.add(k);
            } else {
                String note = "keyword " + k + ": mbx keeps " + MbxFileHeader.MAX_KEYWORDS + " keywords of up to "
                        + MbxFileHeader.MAX_KEYWORD_LENGTH + " bytes: not copied";
                if (!notes.contains(note)) {
                    notes.add(note);
                }
            }
        }
        byte[] text = MbxFiles.crlf(it.head(), it.body(), it.offset(), it.length());
        long uid = it.uid() > lastUid ? it.uid() : 0; // out of order: the next session gives one
        lastUid = Math.max(lastUid, uid);
        batch.add(new MbxFiles.Out(it.date(), text, MbxFiles.systemBits(it.flags()), names, uid));
        bytes += text.length;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public int messages() {
        return batch.size();
    }

    @Override
    public int write() throws IOException {
        int k = batch.size();
        if (k > 0) {
            MbxMailbox.append(driver, ref, batch, false, false, options, written);
            batch.clear();
            bytes = 0;
        }
        return k;
    }

    @Override
    public List<String> notes() {
        return List.copyOf(notes);
    }
}
