package org.spoollock.examples;

import java.io.BufferedReader;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.UIDFolder;
import jakarta.mail.URLName;
import jakarta.mail.event.ConnectionAdapter;
import jakarta.mail.event.ConnectionEvent;

// example: pop3-server
/**
 * A POP3 server (RFC 1939) on the Jakarta Mail API alone, as ipop3d is on c-client: each session holds
 * its mailbox read-write, numbers the messages it found at login, deletes on QUIT, and gives the mailbox
 * up to another program's kiss of death once idle (property mail.mbox.kissofdeath=idle:SECS), ending
 * the session without deleting anything. Not a product: no TLS, no APOP, plain passwords in a file.
 */
public final class Pop3Server implements AutoCloseable {
    private final ServerSocket listener;
    private final Map<String, String> passwords = new HashMap<>();
    private final String mailboxes; // a URL with %u for the user, e.g. "mbox:/var/mail/%u"
    private final Session mail;
    private final ExecutorService sessions = Executors.newCachedThreadPool();

    /**
     * Listens on 127.0.0.1:{@code port} (0: any free port). {@code passwordFile}: "user:password" lines;
     * {@code properties}: the provider's (docs/jakarta-mail.md), e.g. mail.mbox.kissofdeath=idle:300.
     */
    public Pop3Server(int port, Path passwordFile, String mailboxes, Properties properties) throws IOException {
        this.listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        for (String line : Files.readAllLines(passwordFile)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                passwords.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        this.mailboxes = mailboxes;
        this.mail = Session.getInstance(properties);
        sessions.execute(this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code Pop3Server PORT PASSWORD_FILE MAILBOX_URL} (with %u), provider properties as -D options. */
    public static void main(String[] args) throws IOException {
        Pop3Server server = new Pop3Server(Integer.parseInt(args[0]), Path.of(args[1]), args[2], System.getProperties());
        System.out.println("pop3 listening on 127.0.0.1:" + server.port());
        System.out.flush();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                sessions.execute(() -> converse(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void converse(Socket client) {
        try (client; Pop3Session s = new Pop3Session(client)) {
            s.run();
        } catch (IOException | MessagingException e) {
            System.getLogger("pop3").log(System.Logger.Level.WARNING, "session ended: " + e);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sessions.shutdownNow();
    }

    /** One client: AUTHORIZATION until PASS succeeds, then TRANSACTION, then UPDATE on QUIT. */
    private final class Pop3Session implements AutoCloseable {
        private final Socket client;
        private final BufferedReader in;
        private final OutputStream out;
        private String user;
        private Folder folder;
        private Message[] messages = new Message[0]; // those found at login: new mail waits for the next session
        private boolean[] deleted = new boolean[0];
        private volatile boolean kissed;

        Pop3Session(Socket client) throws IOException {
            this.client = client;
            this.in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
            this.out = new BufferedOutputStream(client.getOutputStream());
        }

        void run() throws IOException, MessagingException {
            reply("+OK POP3 example on spoollock ready");
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.split(" ");
                String cmd = w[0].toUpperCase(java.util.Locale.ROOT);
                if (kissed) {
                    reply("-ERR another program took the mailbox (kiss of death); nothing was deleted");
                    return;
                } else if (cmd.equals("QUIT")) {
                    quit();
                    return;
                } else if (cmd.equals("CAPA")) {
                    reply("+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.");
                } else if (folder != null) {
                    transaction(cmd, w);
                } else if (cmd.equals("USER") && w.length == 2) {
                    user = w[1];
                    reply("+OK");
                } else if (cmd.equals("PASS") && user != null && w.length >= 2) {
                    if (line.substring(5).equals(passwords.get(user))) {
                        open();
                    } else {
                        user = null;
                        reply("-ERR [AUTH] bad user name or password");
                    }
                } else {
                    reply("-ERR USER and PASS first");
                }
            }
        }

        private void open() throws IOException, MessagingException {
            Folder f = mail.getFolder(new URLName(mailboxes.replace("%u", user)));
            if (!f.exists()) {
                folder = f;
                reply("+OK no mail yet"); // an empty maildrop: nothing to hold
                return;
            }
            try {
                f.open(Folder.READ_WRITE); // the session lock: one POP session per mailbox, as ipop3d
            } catch (MessagingException e) {
                user = null;
                reply("-ERR [IN-USE] " + e.getMessage());
                return;
            }
            folder = f;
            folder.addConnectionListener(new ConnectionAdapter() {
                @Override
                public void disconnected(ConnectionEvent e) { // we gave the mailbox to another program
                    kissed = true;
                }
            });
            messages = folder.getMessages();
            deleted = new boolean[messages.length];
            reply("+OK " + messages.length + " messages");
        }

        private void transaction(String cmd, String[] w) throws IOException, MessagingException {
            if (w.length < 2 && (cmd.equals("RETR") || cmd.equals("TOP") || cmd.equals("DELE"))) {
                reply("-ERR " + cmd + " needs a message number");
                return;
            }
            Integer n = w.length > 1 ? number(w[1]) : null;
            switch (cmd) {
                case "STAT" -> {
                    long octets = 0;
                    int count = 0;
                    for (int i = 0; i < messages.length; i++) {
                        if (!deleted[i]) {
                            count++;
                            octets += messages[i].getSize();
                        }
                    }
                    reply("+OK " + count + " " + octets);
                }
                case "LIST", "UIDL" -> {
                    if (w.length > 1) {
                        if (n != null) {
                            reply("+OK " + n + " " + listing(cmd, n));
                        }
                        return;
                    }
                    StringBuilder b = new StringBuilder("+OK");
                    for (int i = 1; i <= messages.length; i++) {
                        if (!deleted[i - 1]) {
                            b.append("\r\n").append(i).append(' ').append(listing(cmd, i));
                        }
                    }
                    reply(b.append("\r\n.").toString());
                }
                case "RETR", "TOP" -> {
                    Integer lines = cmd.equals("TOP") ? lines(w) : Integer.valueOf(-1);
                    if (n != null && lines != null) {
                        reply("+OK " + messages[n - 1].getSize() + " octets");
                        DotStuffed data = new DotStuffed(out, lines);
                        messages[n - 1].writeTo(data);
                        data.end();
                        out.flush();
                    }
                }
                case "DELE" -> {
                    if (n != null) {
                        deleted[n - 1] = true;
                        reply("+OK message " + n + " deleted");
                    }
                }
                case "RSET" -> {
                    java.util.Arrays.fill(deleted, false);
                    reply("+OK");
                }
                case "NOOP" -> reply("+OK");
                default -> reply("-ERR unknown command");
            }
        }

        /** LIST: size in octets (CRLF line ends, as sent); UIDL: UIDVALIDITY and UID, as ipop3d forms it. */
        private String listing(String cmd, int n) throws MessagingException {
            if (cmd.equals("LIST")) {
                return Integer.toString(messages[n - 1].getSize());
            }
            UIDFolder uids = (UIDFolder) folder;
            return String.format("%08x%08x", uids.getUIDValidity(), uids.getUID(messages[n - 1]));
        }

        /** A message number of this session that is not deleted, or null (an -ERR was sent). */
        private Integer number(String s) throws IOException {
            try {
                int n = Integer.parseInt(s);
                if (n >= 1 && n <= messages.length && !deleted[n - 1]) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // answered below
            }
            reply("-ERR no such message: " + s);
            return null;
        }

        /** TOP's line count, or null (an -ERR was sent). */
        private Integer lines(String[] w) throws IOException {
            if (w.length == 3 && w[2].matches("[0-9]{1,9}")) {
                return Integer.valueOf(w[2]);
            }
            reply("-ERR TOP msg lines");
            return null;
        }

        /** UPDATE: the deleted messages are flagged in one write and expunged (one journalled rewrite). */
        private void quit() throws IOException {
            java.util.List<Message> gone = new java.util.ArrayList<>();
            for (int i = 0; i < messages.length; i++) {
                if (deleted[i]) {
                    gone.add(messages[i]);
                }
            }
            try {
                if (folder != null && folder.isOpen()) {
                    folder.setFlags(gone.toArray(new Message[0]), new Flags(Flags.Flag.DELETED), true);
                    folder.close(true);
                }
                reply("+OK " + gone.size() + " deleted, bye");
            } catch (MessagingException e) { // e.g. the mailbox was taken meanwhile: the expunge did not happen
                reply("-ERR " + e.getMessage() + "; messages were not deleted");
            }
        }

        private void reply(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        @Override
        public void close() throws MessagingException {
            if (folder != null && folder.isOpen()) {
                folder.close(false); // a dropped connection or a kiss of death: nothing is deleted
            }
        }
    }

    /** A message on the wire: CRLF line ends, lines starting with "." doubled, "." at the end (RFC 1939). */
    private static final class DotStuffed extends FilterOutputStream {
        private int bodyLines; // lines of the body still to send (TOP), or -1 for all
        private boolean inHeader = true;
        private boolean lineStart = true;
        private boolean lineEmpty = true;
        private boolean pendingCr;

        DotStuffed(OutputStream out, int bodyLines) {
            super(out);
            this.bodyLines = bodyLines;
        }

        @Override
        public void write(int b) throws IOException {
            if (pendingCr) {
                pendingCr = false;
                if (b != '\n') {
                    put('\r'); // a bare CR stays as it was
                }
            }
            if (b == '\r') {
                pendingCr = true;
            } else {
                put(b);
            }
        }

        private void put(int b) throws IOException {
            if (!inHeader && bodyLines == 0) {
                return; // TOP: the rest of the body is not sent
            }
            if (b == '\n') {
                out.write('\r');
                out.write('\n');
                if (inHeader && lineEmpty) {
                    inHeader = false;
                } else if (!inHeader && bodyLines > 0) {
                    bodyLines--;
                }
                lineStart = true;
                lineEmpty = true;
                return;
            }
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = false;
            lineEmpty = false;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        /** Ends the data: a line end if the message lacked one, then the "." line. */
        void end() throws IOException {
            if (pendingCr) {
                pendingCr = false;
                put('\r');
            }
            if (!lineStart && (inHeader || bodyLines != 0)) {
                out.write('\r');
                out.write('\n');
            }
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void flush() {
            // the session flushes once the whole message is written
        }
    }
}
// end
