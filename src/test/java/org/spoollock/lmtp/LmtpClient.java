package org.spoollock.lmtp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A bare LMTP client for tests: sends raw lines, reads replies (multi-line replies joined). */
public final class LmtpClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    public LmtpClient(SocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5000);
        socket.setSoTimeout(30_000); // a hang fails the test instead of blocking it
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        out = socket.getOutputStream();
    }

    /** The next reply: its lines, the last one without a '-' after the code. */
    public String reply() throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            String l = in.readLine();
            if (l == null) {
                return b.length() == 0 ? null : b.toString();
            }
            b.append(b.length() == 0 ? "" : "\n").append(l);
            if (l.length() < 4 || l.charAt(3) != '-') {
                return b.toString();
            }
        }
    }

    public void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    public String command(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    /** LHLO, MAIL, RCPTs, DATA, the text (dot-stuffed here), the final dot: the replies after the dot. */
    public List<String> transaction(String from, List<String> to, String text) throws IOException {
        expect("250", command("MAIL FROM:<" + from + ">"));
        int accepted = 0;
        for (String t : to) {
            if (command("RCPT TO:<" + t + ">").startsWith("250")) {
                accepted++;
            }
        }
        expect("354", command("DATA"));
        send(stuffed(text) + ".\r\n");
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < accepted; i++) {
            replies.add(reply());
        }
        return replies;
    }

    static String stuffed(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            b.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        // text ends in "\n": the split's last element is empty
        return b.substring(0, b.length() - 2);
    }

    public static void expect(String code, String reply) {
        if (reply == null || !reply.startsWith(code)) {
            throw new AssertionError("expected " + code + ", got " + reply);
        }
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
