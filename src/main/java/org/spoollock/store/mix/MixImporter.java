package org.spoollock.store.mix;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.Importer;
import org.spoollock.store.LineEnds;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

/**
 * Into mix, for a migration: each message with its source's UID (a new mailbox takes the source's
 * UIDVALIDITY, so they keep their meaning; one out of order gets the next), flags and keywords (30 names of
 * up to 50 bytes: the rest are noted and left out), recent as mailutil's copy leaves them; appended a batch at
 * a time under c-client's append locks.
 */
final class MixImporter implements Importer {
    private final MixDriver driver;
    private final MailboxRef ref;
    private final StoreOptions options;
    private long validityIfEmpty;
    private final List<MixAppend.Out> batch = new ArrayList<>();
    private final List<String> kept = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long bytes;
    private long lastUid;

    MixImporter(MixDriver driver, MailboxRef ref, StoreOptions options, long validityIfEmpty) {
        this.driver = driver;
        this.ref = ref;
        this.options = options;
        this.validityIfEmpty = validityIfEmpty;
    }

    @Override
    public void add(Item it) {
        List<String> names = new ArrayList<>();
        for (String k : it.keywords()) {
            boolean known = kept.stream().anyMatch(k::equalsIgnoreCase);
            if (!known && kept.size() < MixIndex.MAX_KEYWORDS && k.length() <= MixIndex.MAX_KEYWORD_LENGTH) {
                kept.add(k);
                known = true;
            }
            if (known) {
                names.add(k);
            } else {
                String note = "keyword " + k + ": mix keeps " + MixIndex.MAX_KEYWORDS + " keywords of up to "
                        + MixIndex.MAX_KEYWORD_LENGTH + " bytes: not copied";
                if (!notes.contains(note)) {
                    notes.add(note);
                }
            }
        }
        byte[] text = LineEnds.crlf(it.head(), it.body(), it.offset(), it.length());
        long uid = it.uid() > lastUid ? it.uid() : 0;
        lastUid = Math.max(lastUid, uid);
        batch.add(new MixAppend.Out(text, MixIndex.statusBits(it.flags()), names, it.date(), uid));
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
            MixMailbox.append(driver, ref, batch, options, validityIfEmpty);
            validityIfEmpty = 0;
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
