package org.spoollock.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.SequenceSet;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code spoollock flag MAILBOX SEQ (+|-)FLAGS...}. */
@Command(name = "flag", mixinStandardHelpOptions = true,
        description = {"Set (+) or clear (-) flags on messages: SEQ like 1:3,7 or 1:*; FLAGS like \\Seen, \\Flagged,",
                "\\Answered, \\Deleted, \\Draft or a keyword, several separated by commas or as more arguments.",
                "Opens the mailbox read-write as c-client does (session lock, asking another session to hand over),",
                "and writes the change as c-client's checkpoint does (in place where the status headers allow)."})
final class FlagCommand extends MailboxCommand {

    @Parameters(index = "1", paramLabel = "SEQ")
    String sequence;

    @Parameters(index = "2..*", arity = "1..*", paramLabel = "(+|-)FLAGS")
    List<String> flags;

    @Override
    public Integer call() throws IOException {
        String first = flags.get(0);
        if (first.isEmpty() || (first.charAt(0) != '+' && first.charAt(0) != '-')) {
            throw new CommandLine.ParameterException(spec.commandLine(), "FLAGS must start with + (set) or - (clear)");
        }
        boolean set = first.charAt(0) == '+';
        List<String> names = new ArrayList<>();
        for (String arg : flags) {
            String a = arg;
            if (!a.isEmpty() && (a.charAt(0) == '+' || a.charAt(0) == '-')) {
                if ((a.charAt(0) == '+') != set) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "one command sets or clears, not both");
                }
                a = a.substring(1);
            }
            names.add(a);
        }
        Flags.Named named;
        try {
            named = Flags.parse(names);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        int system = named.system();
        List<String> keywords = named.keywords();
        try (Mailbox m = open(true)) {
            List<Integer> msgnos = resolve(m.index().count());
            if (set) {
                m.changes().setFlags(msgnos, system, 0, keywords, List.of()).commit();
            } else {
                m.changes().setFlags(msgnos, 0, system, List.of(), keywords).commit();
            }
        }
        return ExitCodes.OK;
    }

    private List<Integer> resolve(int count) {
        try {
            return SequenceSet.resolve(sequence, count);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
