package org.spoollock.store.imap;

import java.io.IOException;
import java.util.List;

import org.spoollock.store.BatchedImporter;
import org.spoollock.store.NewMessage;

/**
 * A migration into an IMAP folder: each batch is APPENDed message by message over one connection, with
 * its flags, keywords and internal date; the server gives the UIDs (UIDPLUS's APPENDUID, kept for the
 * copy's notes). Nothing is synced here: a server acknowledges an APPEND once it holds the message. A
 * copy killed or cut off midway resumes without duplicates because {@code copy --resume} compares the
 * folder's first messages with the source's before it goes on (the folder must hold nothing else).
 */
final class ImapImporter extends BatchedImporter<NewMessage> {
    private final ImapConnection c;
    private long firstUid;
    private long lastUid;

    ImapImporter(ImapConnection c) {
        this.c = c;
    }

    @Override
    public void add(Item it) {
        byte[] content = it.content();
        queue(new NewMessage(content, it.flags(), it.keywords(), it.date(), it.sender()), content.length);
    }

    @Override
    protected void writeBatch(List<NewMessage> batch) throws IOException {
        for (long u : ImapMailbox.append(c, batch)) {
            if (u > 0) {
                firstUid = firstUid == 0 ? u : firstUid;
                lastUid = u;
            }
        }
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
