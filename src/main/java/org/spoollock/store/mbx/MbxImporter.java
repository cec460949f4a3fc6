package org.spoollock.store.mbx;

import java.io.IOException;
import java.util.List;

import org.spoollock.store.BatchedImporter;
import org.spoollock.store.KeywordSlots;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

/**
 * Into mbx, for a migration: each message with its source's UID (so the header's UIDVALIDITY, the
 * source's for a new file, keeps them meaningful), flags and keywords (30 names at most: the rest are
 * noted and left out), recent (no old bit) as mailutil's copy leaves them; appended a batch at a time
 * under c-client's append locks with a note, not fsynced (the copy syncs the file at its end).
 */
final class MbxImporter extends BatchedImporter<MbxFiles.Out> {
    private final MbxDriver driver;
    private final MailboxRef ref;
    private final StoreOptions options;
    private final KeywordSlots keywords = new KeywordSlots("mbx", MbxFileHeader.MAX_KEYWORDS, MbxFileHeader.MAX_KEYWORD_LENGTH);
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
        List<String> names = keywords.keep(it.keywords());
        byte[] text = org.spoollock.store.LineEnds.crlf(it.head(), it.body(), it.offset(), it.length());
        long uid = it.uid() > lastUid ? it.uid() : 0; // out of order: the next session gives one
        lastUid = Math.max(lastUid, uid);
        queue(new MbxFiles.Out(it.date(), text, MbxFiles.systemBits(it.flags()), names, uid), text.length);
    }

    @Override
    protected void writeBatch(List<MbxFiles.Out> batch) throws IOException {
        MbxMailbox.append(driver, ref, batch, false, false, options, written);
    }

    @Override
    public List<String> notes() {
        return keywords.notes();
    }
}
