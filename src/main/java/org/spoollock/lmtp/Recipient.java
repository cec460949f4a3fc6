package org.spoollock.lmtp;

import org.spoollock.posix.Posix;
import org.spoollock.store.MailboxRef;

/**
 * An accepted recipient: its address as given, the mailbox it goes to, and (when the service runs as
 * root and delivers for system users) the user who must own a mailbox created for it.
 */
record Recipient(String address, MailboxRef mailbox, Posix.User owner) {
}
