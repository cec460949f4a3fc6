package org.spoollock.lmtp;

/** Who may receive mail through the LMTP service. */
public enum Users {
    /** The local part must be a user of the passwd database (550 5.1.1 otherwise). */
    PASSWD,
    /** Any safe local part (virtual spools; the mailbox template must not use {@code %h}). */
    ANY
}
