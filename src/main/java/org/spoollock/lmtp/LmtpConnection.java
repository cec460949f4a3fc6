package org.spoollock.lmtp;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One LMTP connection (RFC 2033): LHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, with PIPELINING (replies
 * are flushed when the client has sent nothing more), ENHANCEDSTATUSCODES, 8BITMIME and SIZE. After
 * DATA, one reply per accepted recipient, in RCPT order. Runs on its own thread.
 */
final class LmtpConnection implements Runnable {
    /** RFC 5321 allows 512 bytes for a command line; extensions make them longer, so we allow more. */
    private static final int MAX_COMMAND = 2048;
    private static final int MAX_RECIPIENTS = 1000;
    private static final int MAX_ERRORS = 20;
    private static final Pattern MAIL = Pattern.compile("(?i)FROM:\\s*<([^<>]*)>((?:\\s+\\S+)*)\\s*");
    private static final Pattern RCPT = Pattern.compile("(?i)TO:\\s*<([^<>]*)>((?:\\s+\\S+)*)\\s*");

    /** Where the connection stands, for an orderly shutdown. */
    enum State { WAITING, BUSY, RECEIVING, CLOSED }

    private final ByteChannel channel;
    private final String peer;
    private final LmtpServer server;
    private final LmtpConfig config;
    private final LineInput in;
    private final OutputStream out;
    private volatile State state = State.WAITING;
    private volatile long lastActivity = System.nanoTime();

    private boolean greeted;
    private String sender;
    private final List<Recipient> recipients = new ArrayList<>();
    private int errors;

    LmtpConnection(ByteChannel channel, String peer, LmtpServer server) {
        this.channel = channel;
        this.peer = peer;
        this.server = server;
        this.config = server.config();
        // not Channels.newInputStream/newOutputStream: those take the channel's blocking lock, so a reply
        // written from another thread (idle timeout, shutdown) would wait for the blocked read to end
        this.in = new LineInput(new java.io.InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return channel.read(java.nio.ByteBuffer.wrap(b, off, len));
            }
        });
        this.out = new java.io.BufferedOutputStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        }, 8192);
    }

    State state() {
        return state;
    }

    long idleNanos() {
        return System.nanoTime() - lastActivity;
    }

    String peer() {
        return peer;
    }

    @Override
    public void run() {
        try {
            send(Reply.of(220, "", config.hostname() + " LMTP spoollock ready"), true);
            while (true) {
                if (server.stopping()) {
                    send(shuttingDown(), true);
                    break;
                }
                state = State.WAITING;
                int n = in.read(MAX_COMMAND);
                lastActivity = System.nanoTime();
                if (n < 0) {
                    if (server.stopping() && state != State.CLOSED) {
                        send(shuttingDown(), true);
                    }
                    break;
                }
                state = State.BUSY;
                Reply r;
                if (in.partial()) {
                    while (in.partial()) {
                        if (in.read(MAX_COMMAND) < 0) {
                            return;
                        }
                    }
                    r = Reply.of(500, "5.5.2", "line too long");
                } else {
                    String line = new String(in.buffer(), in.start(), n, StandardCharsets.ISO_8859_1);
                    r = command(line);
                }
                if (r == null) {
                    continue; // DATA answered for itself
                }
                boolean quit = r.code() == 221 || r.code() == 421;
                if (r.code() >= 500 && ++errors > MAX_ERRORS) {
                    send(r, false);
                    r = Reply.of(421, "4.7.0", "too many errors, closing");
                    quit = true;
                }
                send(r, quit || !in.hasBuffered());
                if (quit) {
                    break;
                }
            }
        } catch (IOException e) {
            // the client went away (or an idle or shutdown close): nothing to answer; a transaction
            // whose DATA was not finished delivered nothing
            if (!(e instanceof EOFException) && !server.stopping()) {
                server.log().log("connection-error", "peer", peer, "error", e.getMessage());
            }
        } finally {
            state = State.CLOSED;
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is all we wanted
            }
        }
    }

    /** Closes the connection from another thread (idle timeout, shutdown), after telling the client why. */
    void closeWaiting(Reply why) {
        try {
            synchronized (out) {
                out.write((why.line() + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        closeNow();
    }

    /** Closes the channel: a blocked read returns at once. */
    void closeNow() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    Reply shuttingDown() {
        return Reply.of(421, "4.3.2", config.hostname() + " shutting down, try again later");
    }

    private void send(Reply r, boolean flush) throws IOException {
        synchronized (out) {
            out.write((r.line() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (flush) {
                out.flush();
            }
        }
    }

    private Reply command(String line) throws IOException {
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String arg = sp < 0 ? "" : line.substring(sp + 1);
        switch (verb) {
            case "LHLO":
                if (arg.isBlank()) {
                    return Reply.of(501, "5.5.4", "LHLO needs a host name");
                }
                greeted = true;
                reset();
                sendLhlo();
                return null;
            case "HELO":
            case "EHLO":
                return Reply.of(500, "5.5.1", "this is LMTP (RFC 2033): say LHLO");
            case "MAIL":
                return mail(arg);
            case "RCPT":
                return rcpt(arg);
            case "DATA":
                if (!arg.isEmpty()) {
                    return Reply.of(501, "5.5.4", "DATA takes no argument");
                }
                return data();
            case "RSET":
                reset();
                return Reply.of(250, "2.0.0", "ok");
            case "NOOP":
                return Reply.of(250, "2.0.0", "ok");
            case "QUIT":
                return Reply.of(221, "2.0.0", config.hostname() + " closing connection");
            case "VRFY":
                return Reply.of(252, "2.5.2", "cannot verify, but will accept and attempt delivery");
            default:
                return Reply.of(500, "5.5.1", "command not recognised");
        }
    }

    private void sendLhlo() throws IOException {
        synchronized (out) {
            String[] lines = {config.hostname(), "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME",
                    "SIZE " + config.maxSize()};
            for (int i = 0; i < lines.length; i++) {
                out.write(("250" + (i < lines.length - 1 ? "-" : " ") + lines[i] + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            if (!in.hasBuffered()) {
                out.flush();
            }
        }
    }

    private void reset() {
        sender = null;
        recipients.clear();
    }

    private Reply mail(String arg) {
        if (!greeted) {
            return Reply.of(503, "5.5.1", "say LHLO first");
        }
        if (sender != null) {
            return Reply.of(503, "5.5.1", "nested MAIL command");
        }
        Matcher m = MAIL.matcher(arg);
        if (!m.matches()) {
            return Reply.of(501, "5.5.4", "syntax: MAIL FROM:<address> [SIZE=n] [BODY=7BIT|8BITMIME]");
        }
        String from = m.group(1);
        for (String p : m.group(2).trim().split("\\s+")) {
            if (p.isEmpty()) {
                continue;
            }
            String u = p.toUpperCase(Locale.ROOT);
            if (u.startsWith("SIZE=")) {
                long size;
                try {
                    size = Long.parseLong(p.substring(5));
                } catch (NumberFormatException e) {
                    return Reply.of(501, "5.5.4", "bad SIZE parameter");
                }
                if (size > config.maxSize()) {
                    return Reply.of(552, "5.3.4", "message size exceeds the limit of " + config.maxSize() + " bytes");
                }
            } else if (!u.equals("BODY=7BIT") && !u.equals("BODY=8BITMIME")) {
                return Reply.of(555, "5.5.4", "parameter not supported: " + p);
            }
        }
        for (int i = 0; i < from.length(); i++) {
            char c = from.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                // an mbox From_ line cannot carry it (and it would split the line)
                return Reply.of(553, "5.1.7", "sender address with a space or control character");
            }
        }
        sender = from.isEmpty() ? "<>" : from;
        return Reply.of(250, "2.1.0", "sender ok");
    }

    private Reply rcpt(String arg) {
        if (sender == null) {
            return Reply.of(503, "5.5.1", "need MAIL first");
        }
        Matcher m = RCPT.matcher(arg);
        if (!m.matches()) {
            return Reply.of(501, "5.5.4", "syntax: RCPT TO:<address>");
        }
        if (!m.group(2).isBlank()) {
            return Reply.of(555, "5.5.4", "RCPT parameters not supported");
        }
        if (recipients.size() >= MAX_RECIPIENTS) {
            return Reply.of(452, "4.5.3", "too many recipients");
        }
        RecipientResolver.Result r = server.resolver().resolve(m.group(1));
        if (r instanceof RecipientResolver.Refused refused) {
            server.log().log("refused", "peer", peer, "rcpt", m.group(1), "reply", refused.reply().line());
            return refused.reply();
        }
        recipients.add(((RecipientResolver.Accepted) r).recipient());
        return Reply.of(250, "2.1.5", "recipient ok");
    }

    private Reply data() throws IOException {
        if (sender == null) {
            return Reply.of(503, "5.5.1", "need MAIL first");
        }
        if (recipients.isEmpty()) {
            return Reply.of(554, "5.5.1", "no valid recipients");
        }
        send(Reply.of(354, "", "end data with <CR><LF>.<CR><LF>"), true);
        state = State.RECEIVING;
        ZonedDateTime arrival = ZonedDateTime.now();
        try (MessageData data = MessageData.read(in, config.maxSize(), config.spillDirectory())) {
            lastActivity = System.nanoTime();
            state = State.BUSY;
            long t0 = System.nanoTime();
            String from = sender.equals("<>") ? null : sender;
            for (Recipient to : recipients) {
                Reply r;
                if (data.tooLarge()) {
                    r = Reply.of(552, "5.3.4", "message exceeds the limit of " + config.maxSize() + " bytes");
                } else if (data.size() == 0) {
                    r = Reply.of(554, "5.6.0", "empty message not delivered");
                } else {
                    r = data.withContent(content -> server.deliverer().deliver(to, from, arrival, content));
                }
                long micros = (System.nanoTime() - t0) / 1000;
                server.stats().delivery(r, micros);
                server.log().log(r.positive() ? "delivered" : "not-delivered", "peer", peer, "from", sender,
                        "rcpt", to.address(), "mailbox", to.mailbox(), "size", data.size(),
                        "ms", String.format(Locale.ROOT, "%.1f", micros / 1e3), "reply", r.line());
                send(r, false);
            }
            out.flush();
        } finally {
            reset();
        }
        return null;
    }
}
