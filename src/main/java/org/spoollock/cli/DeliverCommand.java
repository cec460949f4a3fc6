package org.spoollock.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;

import org.spoollock.store.Capability;
import org.spoollock.store.Drivers;
import org.spoollock.store.Envelope;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.MessageInput;
import org.spoollock.store.NewMessage;


import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spoollock deliver [-f SENDER] [--no-create] MAILBOX < message}: a mail delivery agent. */
@Command(name = "deliver", mixinStandardHelpOptions = true,
        description = {"Append the message on standard input to a mailbox (mbox, tenex, mtx, maildir), as c-client's append",
                "writes it, under that format's locks (mbox: the dot-lock and an exclusive flock); fsync before exit 0. A first line \"From sender date\" (as MTAs pass",
                "it to an MDA) is taken as the envelope and replaced. Usable as Postfix's mailbox_command or from procmail.",
                "Exit: 0 delivered; 75 try again later (lock timeout, disk full: nothing was left behind);",
                "73 cannot create the mailbox (or its directory does not exist); 65 bad input (empty message, too large, not a",
                "mailbox of its format); 77 permission (or a symbolic link); 66 no mailbox (--no-create); 64 usage."})
final class DeliverCommand extends MailboxCommand {

    @Option(names = "-f", paramLabel = "SENDER", description = "Envelope sender for the From_ line (default: the one in"
            + " the message's own From_ line, else MAILER-DAEMON).")
    String sender;

    // on by default, as procmail, c-client's tmail, dovecot-lda and Postfix's local deliver: an MTA turns
    // exit 66 into a bounce, so a new user's first message would go back to its sender
    @Option(names = "--create", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Create the mailbox (mode 0600, owned by the running user) if it does not exist (default);"
                    + " --no-create: exit 66 instead.")
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
            message = MessageInput.read(input, maxSize);
        } catch (MessageInput.MessageTooLargeException e) {
            return fail(ExitCodes.DATAERR, "message not delivered: " + e.getMessage());
        }
        Envelope envelope = Envelope.split(message);
        byte[] body = envelope.body();
        if (body.length == 0) {
            return fail(ExitCodes.DATAERR, "message not delivered: it is empty");
        }
        MailboxRef ref = ref();
        MailboxDriver driver = Drivers.driverFor(ref);
        if (sender != null && !driver.capabilities().contains(Capability.ENVELOPE_SENDER)) {
            warn("-f " + sender + " not kept: " + driver.name() + " mailboxes have no place for the envelope sender");
        }
        if (mboxrd && !driver.capabilities().contains(Capability.FROM_QUOTING)) {
            warn("--mboxrd has no effect: " + driver.name() + " mailboxes do not separate messages by From_ lines");
        }
        boolean existed = Files.exists(mailbox, LinkOption.NOFOLLOW_LINKS);
        Path parent = mailbox.toAbsolutePath().getParent();
        if (!existed && !Files.isDirectory(parent)) {
            return fail(ExitCodes.CANTCREAT, "cannot create " + mailbox + ": directory " + parent + " does not exist");
        }
        NewMessage m = new NewMessage(body, 0, List.of(), ZonedDateTime.now(), sender != null ? sender : envelope.sender());
        try {
            driver.append(ref, List.of(m), create, store.storeOptions().withMboxrd(mboxrd));
        } catch (IllegalArgumentException e) {
            return fail(ExitCodes.DATAERR, "message not delivered: " + e.getMessage());
        } catch (java.nio.file.AccessDeniedException e) {
            if (create && !existed && !Files.exists(mailbox, LinkOption.NOFOLLOW_LINKS)) {
                return fail(ExitCodes.CANTCREAT, "cannot create " + mailbox + ": " + e.getMessage());
            }
            throw e;
        }
        return ExitCodes.OK;
    }

}
