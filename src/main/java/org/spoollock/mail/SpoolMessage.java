package org.spoollock.mail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Date;
import java.util.Enumeration;

import jakarta.activation.DataHandler;
import jakarta.mail.Flags;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * A message of an open {@link SpoolFolder}. Flags, size, UID and received date come from the index;
 * the header and content are read from the mailbox the first time something asks for them (one
 * message at a time, never the whole mailbox).
 */
final class SpoolMessage extends MimeMessage {
    private final SpoolFolder spool;
    private boolean loaded;

    SpoolMessage(SpoolFolder folder, int msgnum) {
        super(folder, msgnum);
        this.spool = folder;
    }

    void renumber(int n) {
        setMessageNumber(n);
    }

    void markExpunged() {
        setExpunged(true);
    }

    /** Messages larger than this are parsed from a {@link ContentStream}: only their header is kept in memory. */
    static final long STREAMED_ABOVE = 1 << 20;

    private synchronized void load() throws MessagingException {
        if (!loaded) {
            if (getSize() < 0 || getSize() > STREAMED_ABOVE) {
                parse(spool.contentStream(this)); // the header into memory; the body stays in the mailbox
            } else {
                parse(new ByteArrayInputStream(spool.content(this)));
            }
            loaded = true;
        }
    }

    @Override
    public int getSize() throws MessagingException {
        long s = spool.size(this);
        return s > Integer.MAX_VALUE ? -1 : (int) s;
    }

    @Override
    public Date getReceivedDate() throws MessagingException {
        return spool.receivedDate(this);
    }

    @Override
    public synchronized Flags getFlags() throws MessagingException {
        return spool.flags(this);
    }

    @Override
    public synchronized boolean isSet(Flags.Flag flag) throws MessagingException {
        return spool.flags(this).contains(flag);
    }

    @Override
    public synchronized void setFlags(Flags flag, boolean set) throws MessagingException {
        spool.setFlags(new jakarta.mail.Message[] {this}, flag, set);
    }

    // ---- everything that needs the message's bytes loads them first ----

    @Override
    protected InputStream getContentStream() throws MessagingException {
        load();
        return super.getContentStream();
    }

    @Override
    public InputStream getRawInputStream() throws MessagingException {
        load();
        return super.getRawInputStream();
    }

    @Override
    public synchronized DataHandler getDataHandler() throws MessagingException {
        load();
        return super.getDataHandler();
    }

    @Override
    public void writeTo(OutputStream os, String[] ignoreList) throws IOException, MessagingException {
        load();
        super.writeTo(os, ignoreList);
    }

    @Override
    public String[] getHeader(String name) throws MessagingException {
        load();
        return super.getHeader(name);
    }

    @Override
    public String getHeader(String name, String delimiter) throws MessagingException {
        load();
        return super.getHeader(name, delimiter);
    }

    @Override
    public Enumeration<Header> getAllHeaders() throws MessagingException {
        load();
        return super.getAllHeaders();
    }

    @Override
    public Enumeration<Header> getMatchingHeaders(String[] names) throws MessagingException {
        load();
        return super.getMatchingHeaders(names);
    }

    @Override
    public Enumeration<Header> getNonMatchingHeaders(String[] names) throws MessagingException {
        load();
        return super.getNonMatchingHeaders(names);
    }

    @Override
    public Enumeration<String> getAllHeaderLines() throws MessagingException {
        load();
        return super.getAllHeaderLines();
    }

    @Override
    public Enumeration<String> getMatchingHeaderLines(String[] names) throws MessagingException {
        load();
        return super.getMatchingHeaderLines(names);
    }

    @Override
    public Enumeration<String> getNonMatchingHeaderLines(String[] names) throws MessagingException {
        load();
        return super.getNonMatchingHeaderLines(names);
    }

    @Override
    public int getLineCount() throws MessagingException {
        load();
        return super.getLineCount();
    }
}
