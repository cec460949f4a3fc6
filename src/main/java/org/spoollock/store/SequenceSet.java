package org.spoollock.store;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** IMAP message sequence sets ({@code 1:3,7}, {@code 5:*}, {@code *}) resolved against a mailbox size. */
public final class SequenceSet {
    private SequenceSet() {
    }

    /**
     * The message numbers named by {@code set}, ascending, each once. {@code *} is the last message.
     * A number beyond the mailbox is an error (as IMAP's BAD), so a typo never silently does nothing.
     */
    public static List<Integer> resolve(String set, int count) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : set.split(",", -1)) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("empty element in sequence set \"" + set + "\"");
            }
            int colon = part.indexOf(':');
            int a = number(colon < 0 ? part : part.substring(0, colon), count, set);
            int b = colon < 0 ? a : number(part.substring(colon + 1), count, set);
            for (int i = Math.min(a, b); i <= Math.max(a, b); i++) {
                out.add(i);
            }
        }
        return new ArrayList<>(out);
    }

    private static int number(String s, int count, String set) {
        if (s.equals("*")) {
            if (count == 0) {
                throw new IllegalArgumentException("\"*\" in \"" + set + "\" but the mailbox is empty");
            }
            return count;
        }
        int n;
        try {
            n = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + s + "\" in sequence set \"" + set + "\" is not a message number");
        }
        if (n < 1 || n > count) {
            throw new IllegalArgumentException("message " + n + " in \"" + set + "\" does not exist (the mailbox has "
                    + count + ")");
        }
        return n;
    }
}
