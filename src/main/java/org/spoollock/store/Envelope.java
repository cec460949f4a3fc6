package org.spoollock.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A message as an MTA hands it to a delivery agent: a first line "From sender date" (Postfix's and
 * sendmail's envelope for an MDA) is the envelope and is taken off; the rest is the message.
 *
 * @param sender the envelope sender from that line, or null when there was none
 * @param body   the message without that line
 */
public record Envelope(String sender, byte[] body) {
    public static Envelope split(byte[] message) {
        if (message.length < 5 || !new String(message, 0, 5, StandardCharsets.ISO_8859_1).equals("From ")) {
            return new Envelope(null, message);
        }
        int nl = 0;
        while (nl < message.length && message[nl] != '\n') {
            nl++;
        }
        String line = new String(message, 5, nl - 5, StandardCharsets.ISO_8859_1).trim();
        int sp = line.indexOf(' ');
        String sender = sp < 0 ? line : line.substring(0, sp);
        return new Envelope(sender, Arrays.copyOfRange(message, Math.min(nl + 1, message.length), message.length));
    }
}
