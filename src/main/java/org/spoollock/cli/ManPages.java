package org.spoollock.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes the man pages ({@code spoollock.1} and {@code spoollock-COMMAND.1}) and the bash completion
 * script from the picocli model the CLI itself runs on, at build time (pom.xml), so that neither can
 * drift from {@code --help}. {@code ManPages MAN_DIR COMPLETION_FILE VERSION DATE}.
 */
public final class ManPages {
    private ManPages() {
    }

    public static void main(String[] args) throws IOException {
        Path man = Files.createDirectories(Path.of(args[0]));
        Path completion = Path.of(args[1]);
        String version = args[2];
        String date = args[3];
        CommandLine cl = Main.fullCommandLine();
        Files.writeString(man.resolve("spoollock.1"), page(cl, "spoollock", version, date), StandardCharsets.UTF_8);
        for (var sub : cl.getSubcommands().entrySet()) {
            Files.writeString(man.resolve("spoollock-" + sub.getKey() + ".1"),
                    page(sub.getValue(), "spoollock " + sub.getKey(), version, date), StandardCharsets.UTF_8);
        }
        Files.createDirectories(completion.toAbsolutePath().getParent());
        Files.writeString(completion, picocli.AutoComplete.bash("spoollock", cl), StandardCharsets.UTF_8);
    }

    /** One page, from the command's spec: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, ARGUMENTS, COMMANDS, SEE ALSO. */
    static String page(CommandLine cl, String name, String version, String date) {
        CommandSpec spec = cl.getCommandSpec();
        String pageName = name.replace(' ', '-');
        StringBuilder b = new StringBuilder();
        b.append(".\\\" generated from the CLI's picocli model by org.spoollock.cli.ManPages; do not edit\n");
        b.append(".TH ").append(pageName.toUpperCase(java.util.Locale.ROOT)).append(" 1 \"").append(date)
                .append("\" \"spoollock ").append(escape(version)).append("\" \"spoollock manual\"\n");
        String[] description = spec.usageMessage().description();
        b.append(".SH NAME\n").append(escape(pageName)).append(" \\- ")
                .append(escape(firstSentence(String.join(" ", description)))).append('\n');
        b.append(".SH SYNOPSIS\n.nf\n").append(text(cl.getHelp().synopsis(0).strip())).append("\n.fi\n");
        b.append(".SH DESCRIPTION\n").append(text(String.join(" ", description).replaceAll("\\s+", " ").strip())).append('\n');
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            b.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                b.append(".TP\n.B ").append(escape(String.join(", ", o.names())));
                if (o.typeInfo().isBoolean() || o.arity().max() == 0) {
                    b.append('\n');
                } else {
                    b.append(" \\fI").append(escape(o.paramLabel())).append("\\fR\n");
                }
                b.append(text(String.join(" ", o.description()).strip())).append('\n');
            }
        }
        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!params.isEmpty()) {
            b.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                b.append(".TP\n.I ").append(escape(p.paramLabel())).append('\n')
                        .append(text(String.join(" ", p.description()).strip())).append('\n');
            }
        }
        if (!cl.getSubcommands().isEmpty()) {
            b.append(".SH COMMANDS\n");
            for (var sub : cl.getSubcommands().entrySet()) {
                String[] d = sub.getValue().getCommandSpec().usageMessage().description();
                b.append(".TP\n.B ").append(escape(sub.getKey())).append('\n')
                        .append(text(firstSentence(String.join(" ", d)))).append(" See \\fBspoollock\\-")
                        .append(escape(sub.getKey())).append("\\fR(1).\n");
            }
        }
        b.append(".SH SEE ALSO\n");
        b.append(name.equals("spoollock") ? "The documents in docs/ of the source tree (errors.md: exit codes).\n"
                : "\\fBspoollock\\fR(1)\n");
        return b.toString();
    }

    private static String firstSentence(String s) {
        s = s.replaceAll("\\s+", " ");
        int dot = s.indexOf(". ");
        return (dot > 0 ? s.substring(0, dot + 1) : s).strip();
    }

    /** Text for troff: escaped, and no line may start with a control character. */
    private static String text(String s) {
        StringBuilder b = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            String e = escape(line);
            if (e.startsWith(".") || e.startsWith("'")) {
                b.append("\\&");
            }
            b.append(e).append('\n');
        }
        return b.substring(0, b.length() - 1);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }
}
