package org.spoollock.store.mix;

import java.io.IOException;
import java.util.List;

import org.spoollock.store.BatchedImporter;
import org.spoollock.store.KeywordSlots;
import org.spoollock.store.LineEnds;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

/**
 * Into mix, for a migration: each message with its source's UID (a new mailbox takes the source's
 * UIDVALIDITY, so they keep their meaning; one out of order gets the next), flags and keywords (30 names of
 * up to 50 bytes: the rest are noted and left out), recent as mailutil's copy leaves them; appended a batch at
 * a time under c-client's append locks.
 */
final class MixImporter extends BatchedImporter<MixAppend.Out> {
    private final MixDriver driver;
    private final MailboxRef ref;
    private final StoreOptions options;
    private long validityIfEmpty;
    private final KeywordSlots keywords = new KeywordSlots("mix", MixIndex.MAX_KEYWORDS, MixIndex.MAX_KEYWORD_LENGTH);
    private long lastUid;

    MixImporter(MixDriver driver, MailboxRef ref, StoreOptions options, long validityIfEmpty) {
        this.driver = driver;
        this.ref = ref;
        this.options = options;
        this.validityIfEmpty = validityIfEmpty;
    }

    @Override
    public void add(Item it) {
        List<String> names = keywords.keep(it.keywords());
        byte[] text = LineEnds.crlf(it.head(), it.body(), it.offset(), it.length());
        long uid = it.uid() > lastUid ? it.uid() : 0;
        lastUid = Math.max(lastUid, uid);
        queue(new MixAppend.Out(text, MixIndex.statusBits(it.flags()), names, it.date(), uid), text.length);
    }

    @Override
    protected void writeBatch(List<MixAppend.Out> batch) throws IOException {
        MixMailbox.append(driver, ref, batch, options, validityIfEmpty);
        validityIfEmpty = 0;
    }

    @Override
    public List<String> notes() {
        return keywords.notes();
    }
}
