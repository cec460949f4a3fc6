package org.spoollock.mail;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.Enumeration;
import java.util.List;

import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Header;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.MethodNotSupportedException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.NewsAddress;

/**
 * A message as a search term sees it, from its raw header bytes only: what {@link SpoolFolder#search}
 * hands to header terms (From, To/Cc/Bcc, Subject, Message-ID, any header, sent and received date,
 * flags, size, number) instead of building a MimeMessage per message. Each answer is computed as
 * MimeMessage computes it (same InternetHeaders value rules, the same decoding, address parsing and date
 * format), so a term matches here exactly when it would match the folder's own message; a term that
 * needs anything else is never given a view (see {@link #canAnswer}).
 */
final class HeaderView extends Message {
    private final byte[] header;
    private final SpoolFolder spool;
    private final int msgno;
    private final Settings settings;

    /**
     * The session's settings a MimeMessage's answers depend on: strict address parsing
     * ({@code mail.mime.address.strict}, default true) and how header bytes become text (Angus Mail's
     * LineInputStream: UTF-8 with {@code mail.mime.allowutf8} in the session, else UTF-8 where a line is
     * valid UTF-8 when the system property of that name is set, else ISO-8859-1).
     */
    record Settings(boolean strictAddresses, boolean allowUtf8, boolean defaultUtf8) {
        static Settings of(jakarta.mail.Session session) {
            return new Settings(!"false".equalsIgnoreCase(session.getProperty("mail.mime.address.strict")),
                    "true".equalsIgnoreCase(session.getProperty("mail.mime.allowutf8")),
                    Boolean.getBoolean("mail.mime.allowutf8"));
        }
    }

    HeaderView(SpoolFolder folder, int msgno, byte[] header, Settings settings) {
        super(folder, msgno);
        this.spool = folder;
        this.msgno = msgno;
        this.header = header;
        this.settings = settings;
    }

    /** Whether {@code term} (and all it is made of) asks a message only what this view answers. */
    static boolean canAnswer(jakarta.mail.search.SearchTerm term) {
        if (term instanceof jakarta.mail.search.AndTerm a) {
            return java.util.Arrays.stream(a.getTerms()).allMatch(HeaderView::canAnswer);
        }
        if (term instanceof jakarta.mail.search.OrTerm o) {
            return java.util.Arrays.stream(o.getTerms()).allMatch(HeaderView::canAnswer);
        }
        if (term instanceof jakarta.mail.search.NotTerm n) {
            return canAnswer(n.getTerm());
        }
        // final classes of jakarta.mail.search only (a subclass could ask anything)
        Class<?> c = term.getClass();
        return c == jakarta.mail.search.SubjectTerm.class || c == jakarta.mail.search.FromTerm.class
                || c == jakarta.mail.search.FromStringTerm.class || c == jakarta.mail.search.RecipientTerm.class
                || c == jakarta.mail.search.RecipientStringTerm.class || c == jakarta.mail.search.HeaderTerm.class
                || c == jakarta.mail.search.MessageIDTerm.class || c == jakarta.mail.search.SentDateTerm.class
                || c == jakarta.mail.search.ReceivedDateTerm.class || c == jakarta.mail.search.FlagTerm.class
                || c == jakarta.mail.search.SizeTerm.class || c == jakarta.mail.search.MessageNumberTerm.class;
    }

    /**
     * The values of header {@code name}, as InternetHeaders gives them: every field of that name (any
     * case), the text after the colon without its leading white space, folded lines joined by CRLF.
     */
    @Override
    public String[] getHeader(String name) {
        List<String> out = null;
        int n = header.length;
        int p = 0;
        while (p < n) {
            int eol = lineEnd(p);
            if (eol == p || eol == p + 1 && header[p] == '\r') {
                break; // the blank line: end of the header
            }
            int end = eol;
            // the field goes on over continuation lines
            while (end < n && end + 1 < n && (header[end + 1] == ' ' || header[end + 1] == '\t')) {
                end = lineEnd(end + 1);
            }
            if (nameIs(p, eol, name)) {
                if (out == null) {
                    out = new ArrayList<>(1);
                }
                out.add(value(p, end));
            }
            p = end + 1;
        }
        return out == null ? null : out.toArray(new String[0]);
    }

    /** Offset of the LF ending the line at {@code p} (or the end). */
    private int lineEnd(int p) {
        while (p < header.length && header[p] != '\n') {
            p++;
        }
        return p;
    }

    /** Whether the line at {@code p} is a field named {@code name}: InternetHeaders compares the text before the colon, trimmed, ignoring case. */
    private boolean nameIs(int p, int eol, String name) {
        int colon = p;
        while (colon < eol && header[colon] != ':') {
            colon++;
        }
        // a line without a colon is a field named by the whole line (InternetHeader), odd as that is
        int a = p;
        int b = colon;
        while (a < b && header[a] <= ' ') {
            a++;
        }
        while (b > a && header[b - 1] <= ' ') {
            b--;
        }
        if (b - a != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char x = (char) (header[a + i] & 0xff);
            char y = name.charAt(i);
            if (x != y && Character.toLowerCase(x) != Character.toLowerCase(y) && Character.toUpperCase(x) != Character.toUpperCase(y)) {
                return false;
            }
        }
        return true;
    }

    /** The field's value from {@code p} to {@code end}: its lines (CRs dropped) as text, joined by CRLF (InternetHeaders). */
    private String value(int p, int end) {
        StringBuilder b = new StringBuilder();
        int i = p;
        while (i < end) {
            int eol = lineEnd(i);
            int stop = eol > i && header[eol - 1] == '\r' ? eol - 1 : eol;
            if (b.length() > 0) {
                b.append("\r\n");
            }
            b.append(text(i, stop - i));
            i = eol + 1;
        }
        int colon = b.indexOf(":");
        if (colon < 0) {
            return b.toString(); // InternetHeader.getValue of a line without a colon: the line
        }
        int j = colon + 1;
        while (j < b.length() && (b.charAt(j) == ' ' || b.charAt(j) == '\t' || b.charAt(j) == '\r' || b.charAt(j) == '\n')) {
            j++;
        }
        return b.substring(j);
    }

    /** One line's bytes as text, as Angus Mail's LineInputStream makes it (see {@link Settings}). */
    private String text(int off, int len) {
        if (settings.allowUtf8()) {
            return new String(header, off, len, StandardCharsets.UTF_8);
        }
        if (settings.defaultUtf8()) {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(header, off, len)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                // not UTF-8: ISO-8859-1 below
            }
        }
        return new String(header, off, len, StandardCharsets.ISO_8859_1);
    }

    private String first(String name, String delimiter) {
        String[] v = getHeader(name);
        if (v == null) {
            return null;
        }
        if (v.length == 1 || delimiter == null) {
            return v[0];
        }
        return String.join(delimiter, v);
    }

    @Override
    public String getSubject() {
        String raw = first("Subject", null);
        if (raw == null) {
            return null;
        }
        try {
            return MimeUtility.decodeText(MimeUtility.unfold(raw));
        } catch (java.io.UnsupportedEncodingException e) {
            return raw;
        }
    }

    private Address[] addresses(String name) throws MessagingException {
        String s = first(name, ",");
        return s == null ? null : InternetAddress.parseHeader(s, settings.strictAddresses());
    }

    @Override
    public Address[] getFrom() throws MessagingException {
        Address[] a = addresses("From");
        return a != null ? a : addresses("Sender");
    }

    @Override
    public Address[] getRecipients(RecipientType type) throws MessagingException {
        if (type == jakarta.mail.internet.MimeMessage.RecipientType.NEWSGROUPS) {
            String s = first("Newsgroups", ",");
            return s == null ? null : NewsAddress.parse(s);
        }
        return addresses(type == RecipientType.TO ? "To" : type == RecipientType.CC ? "Cc" : "Bcc");
    }

    @Override
    public Date getSentDate() {
        String s = first("Date", null);
        if (s == null) {
            return null;
        }
        try {
            return new MailDateFormat().parse(s);
        } catch (java.text.ParseException e) {
            return null;
        }
    }

    @Override
    public Date getReceivedDate() throws MessagingException {
        return spool.receivedDate(msgno);
    }

    @Override
    public Flags getFlags() throws MessagingException {
        return spool.flags(msgno);
    }

    @Override
    public int getSize() throws MessagingException {
        long s = spool.size(msgno);
        return s > Integer.MAX_VALUE ? -1 : (int) s;
    }

    @Override
    public Folder getFolder() {
        return spool;
    }

    // ---- what no header term asks: never called (canAnswer), refused if it is ----

    private static MethodNotSupportedException headerOnly() {
        return new MethodNotSupportedException("a search's header view has no body");
    }

    @Override
    public void setFrom() throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setFrom(Address address) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void addFrom(Address[] addresses) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setRecipients(RecipientType type, Address[] addresses) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void addRecipients(RecipientType type, Address[] addresses) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setSubject(String subject) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setSentDate(Date date) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setFlags(Flags flag, boolean set) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public Message reply(boolean replyToAll) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void saveChanges() throws MessagingException {
        throw headerOnly();
    }

    @Override
    public int getLineCount() throws MessagingException {
        throw headerOnly();
    }

    @Override
    public String getContentType() throws MessagingException {
        throw headerOnly();
    }

    @Override
    public boolean isMimeType(String mimeType) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public String getDisposition() throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setDisposition(String disposition) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public String getDescription() throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setDescription(String description) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public String getFileName() throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setFileName(String filename) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public InputStream getInputStream() throws MessagingException {
        throw headerOnly();
    }

    @Override
    public DataHandler getDataHandler() throws MessagingException {
        throw headerOnly();
    }

    @Override
    public Object getContent() throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setDataHandler(DataHandler dh) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setContent(Object obj, String type) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setText(String text) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setContent(Multipart mp) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void writeTo(OutputStream os) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void setHeader(String name, String value) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void addHeader(String name, String value) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public void removeHeader(String name) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public Enumeration<Header> getAllHeaders() throws MessagingException {
        throw headerOnly();
    }

    @Override
    public Enumeration<Header> getMatchingHeaders(String[] names) throws MessagingException {
        throw headerOnly();
    }

    @Override
    public Enumeration<Header> getNonMatchingHeaders(String[] names) throws MessagingException {
        throw headerOnly();
    }
}
