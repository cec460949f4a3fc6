package org.spoollock.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;

import org.spoollock.store.MailboxFormat;
import org.spoollock.store.mbox.MboxAppender;
import org.spoollock.store.tenex.TenexMailbox;
import org.spoollock.store.mbox.MessageFormat;
import org.spoollock.store.mbox.Quoting;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spoollock deliver [-f SENDER] [--create] MAILBOX < message}: a mail delivery agent. */
@Command(name = "deliver", mixinStandardHelpOptions = true,
        description = {"Append the message on standard input to an mbox, as c-client's append writes it, under the",
                "dot-lock and an exclusive flock; fsync before exit 0. A first line \"From sender date\" (as MTAs pass",
                "it to an MDA) is taken as the envelope and replaced. Usable as Postfix's mailbox_command or from procmail.",
                "Exit: 0 delivered; 75 try again later (lock timeout, disk full: nothing was left behind);",
                "73 cannot create the mailbox; 65 bad input (empty message, not an mbox); 77 permission; 66 no mailbox."})
final class DeliverCommand extends MailboxCommand {

    @Option(names = "-f", paramLabel = "SENDER", description = "Envelope sender for the From_ line (default: the one in"
            + " the message's own From_ line, else MAILER-DAEMON).")
    String sender;

    @Option(names = "--create", description = "Create the mailbox (mode 0600) if it does not exist.")
    boolean create;

    @Option(names = "--mboxrd", description = "Quote From_-like lines the mboxrd way (>From stays reversible) instead"
            + " of c-client's mboxo.")
    boolean mboxrd;

    @Option(names = "--max-size", paramLabel = "BYTES", defaultValue = "268435456",
            description = "Refuse larger messages (exit 65; default: ${DEFAULT-VALUE}).")
    long maxSize;

    InputStream input = System.in;

    @Override
    public Integer call() throws IOException {
        byte[] message;
        try {
            message = MessageFormat.readMessage(input, maxSize);
        } catch (MessageFormat.MessageTooLargeException e) {
            return fail(ExitCodes.DATAERR, "message not delivered: " + e.getMessage());
        }
        String envelope = null;
        int skip = 0;
        if (message.length >= 5 && new String(message, 0, 5, StandardCharsets.ISO_8859_1).equals("From ")) {
            int nl = 0;
            while (nl < message.length && message[nl] != '\n') {
                nl++;
            }
            String line = new String(message, 5, nl - 5, StandardCharsets.ISO_8859_1).trim();
            int sp = line.indexOf(' ');
            envelope = sp < 0 ? line : line.substring(0, sp);
            skip = Math.min(nl + 1, message.length);
        }
        byte[] body = skip == 0 ? message : java.util.Arrays.copyOfRange(message, skip, message.length);
        if (body.length == 0) {
            return fail(ExitCodes.DATAERR, "message not delivered: it is empty");
        }
        MailboxFormat f = format();
        if (f != MailboxFormat.MBOX) {
            boolean existed = Files.exists(mailbox, LinkOption.NOFOLLOW_LINKS);
            if (create && !existed && !Files.isDirectory(mailbox.toAbsolutePath().getParent())) {
                return fail(ExitCodes.CANTCREAT, "cannot create " + mailbox + ": its directory does not exist");
            }
            TenexMailbox.append(mailbox, tenexFormat(f), List.of(body), 0, List.of(), ZonedDateTime.now(), create,
                    store.tenexOptions());
            return ExitCodes.OK;
        }
        byte[] formatted;
        try {
            formatted = MessageFormat.format(body, sender != null ? sender : envelope, ZonedDateTime.now(), 0, List.of(),
                    mboxrd ? Quoting.MBOXRD : Quoting.MBOXO);
        } catch (IllegalArgumentException e) {
            return fail(ExitCodes.DATAERR, "message not delivered: " + e.getMessage());
        }
        boolean existed = Files.exists(mailbox, LinkOption.NOFOLLOW_LINKS);
        Path parent = mailbox.toAbsolutePath().getParent();
        if (create && !existed && !Files.isDirectory(parent)) {
            return fail(ExitCodes.CANTCREAT, "cannot create " + mailbox + ": directory " + parent + " does not exist");
        }
        try {
            MboxAppender.append(mailbox, List.of(formatted),
                    store.lockOptions.mailboxLockOptions().withCreateMissing(create),
                    Duration.ofSeconds(store.timeoutSeconds));
        } catch (org.spoollock.posix.PosixException.PermissionDeniedException e) {
            if (create && !existed && !Files.exists(mailbox, LinkOption.NOFOLLOW_LINKS)) {
                return fail(ExitCodes.CANTCREAT, "cannot create " + mailbox + ": " + e.getMessage());
            }
            throw e;
        }
        return ExitCodes.OK;
    }

}
