package org.spoollock.store.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.Importer;
import org.spoollock.store.NewMessage;

/**
 * A migration into an IMAP folder: each batch is APPENDed message by message over one connection, with
 * its flags, keywords and internal date; the server gives the UIDs (UIDPLUS's APPENDUID, kept for the
 * copy's notes). Nothing is synced here: a server acknowledges an APPEND once it holds the message. A
 * copy killed or cut off midway resumes without duplicates because {@code copy --resume} compares the
 * folder's first messages with the source's before it goes on (the folder must hold nothing else).
 */
final class ImapImporter implements Importer {
    private final ImapConnection c;
    private final List<NewMessage> batch = new ArrayList<>();
    private long bytes;
    private long firstUid;
    private long lastUid;

    ImapImporter(ImapConnection c) {
        this.c = c;
    }

    @Override
    public void add(Item it) {
        byte[] content = it.content();
        batch.add(new NewMessage(content, it.flags(), it.keywords(), it.date(), it.sender()));
        bytes += content.length;
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
            List<Long> uids = ImapMailbox.append(c, batch);
            for (long u : uids) {
                if (u > 0) {
                    firstUid = firstUid == 0 ? u : firstUid;
                    lastUid = u;
                }
            }
            batch.clear();
            bytes = 0;
        }
        return k;
    }

    @Override
    public List<String> notes() {
        c.close();
        if (lastUid == 0) {
            return List.of(c.where + ": the server gave no UIDs (no UIDPLUS); it numbers the messages itself");
        }
        return List.of(c.where + ": the server numbered the copied messages UID " + firstUid + ".." + lastUid
                + " (IMAP keeps the UIDs it gives, not the source's)");
    }
}
