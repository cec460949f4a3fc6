package org.spoollock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The short commands' generated picocli model (PrebuiltModel) is the annotated one: the same attributes for
 * every option and parameter, and the same fields set, or the same error, for the same arguments.
 */
class PrebuiltModelTest {

    /** Each command through both models: name to command line. */
    private static CommandLine annotated(String name) {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand(name, Main.command(name));
        return cl;
    }

    private static CommandLine prebuilt(String name) {
        CommandLine cl = PrebuiltModel.commandLine(new Main(), name, Main.command(name));
        assertNotNull(cl, name + ": no generated model (the build's process-classes step did not run?)");
        return cl;
    }

    @Test
    void everyShortCommandHasItsGeneratedModelAndNoOtherDoes() {
        for (String name : Main.commandNames()) {
            if (PrebuiltModel.COMMANDS.contains(name)) {
                prebuilt(name);
            } else {
                assertNull(PrebuiltModel.commandLine(new Main(), name, Main.command(name)), name);
            }
        }
    }

    @Test
    void theGeneratedModelHasTheAnnotatedAttributes() {
        for (String name : PrebuiltModel.COMMANDS) {
            CommandLine a = annotated(name);
            CommandLine p = prebuilt(name);
            assertEquals(describe(a.getCommandSpec()), describe(p.getCommandSpec()), "spoollock (for " + name + ")");
            assertEquals(describe(a.getSubcommands().get(name).getCommandSpec()),
                    describe(p.getSubcommands().get(name).getCommandSpec()), name);
        }
    }

    @Test
    void everyOptionParsesToTheSameFieldsThroughBoth() {
        for (String name : PrebuiltModel.COMMANDS) {
            CommandSpec spec = annotated(name).getSubcommands().get(name).getCommandSpec();
            List<List<String>> cases = new ArrayList<>();
            cases.add(withPositionals(spec, new ArrayList<>(List.of(name))));
            List<String> all = new ArrayList<>(List.of(name, "--debug"));
            for (OptionSpec o : spec.options()) {
                if (o.usageHelp() || o.versionHelp() || o.inherited()) {
                    continue;
                }
                all.add(o.longestName());
                if (o.arity().max() > 0) {
                    all.add(sample(o));
                }
                if (o.negatable()) {
                    cases.add(withPositionals(spec, new ArrayList<>(List.of(name, "--no-" + o.longestName().substring(2)))));
                }
                // the --name=value form as well, one option at a time
                if (o.arity().max() > 0) {
                    cases.add(withPositionals(spec, new ArrayList<>(List.of(name, o.longestName() + "=" + sample(o)))));
                }
            }
            cases.add(withPositionals(spec, all));
            for (List<String> args : cases) {
                assertEquals(parse(annotated(name), args), parse(prebuilt(name), args), String.join(" ", args));
            }
        }
    }

    @Test
    void badArgumentsFailTheSameWayThroughBoth() {
        String[][] cases = {
            {"count"},
            {"count", "a", "b"},
            {"count", "--timeout", "soon", "box"},
            {"count", "--bogus", "box"},
            {"count", "--stale-after"},
            {"deliver", "--max-size", "-", "box"},
            {"flag", "box"},
            {"flag", "box", "1"},
            {"lock", "--timeout", "x", "box", "true"},
            {"open", "--hold", "box"},
            {"list", "-x", "box"},
            {"locks"},
        };
        for (String[] args : cases) {
            String a = parse(annotated(args[0]), Arrays.asList(args));
            assertTrue(a.startsWith("error "), String.join(" ", args) + " parsed: " + a);
            assertEquals(a, parse(prebuilt(args[0]), Arrays.asList(args)), String.join(" ", args));
        }
    }

    @Test
    void helpAndVersionTakeTheAnnotatedModel() {
        assertTrue(Main.asksForHelp(new String[] {"count", "--help"}));
        assertTrue(Main.asksForHelp(new String[] {"count", "-hV"}));
        assertTrue(Main.asksForHelp(new String[] {"deliver", "-V"}));
        assertFalse(Main.asksForHelp(new String[] {"flag", "box", "1", "-\\Seen", "--timeout", "5"}));
        assertFalse(Main.asksForHelp(new String[] {"count", "--helper", "/usr/bin/dotlockfile", "box"}));
    }

    private static List<String> withPositionals(CommandSpec spec, List<String> args) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            for (int i = 0; i < Math.max(1, p.arity().min()); i++) {
                args.add(p.paramLabel().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z]", "") + i);
            }
        }
        if (spec.name().equals("flag")) {
            args.set(args.size() - 1, "+\\Seen"); // its flags must be signed
        }
        return args;
    }

    private static String sample(OptionSpec o) {
        Class<?> t = o.type();
        if (t == long.class || t == Long.class || t == int.class || t == Integer.class) {
            return "7";
        }
        if (o.splitRegex() != null && !o.splitRegex().isEmpty()) {
            return "a,b";
        }
        if (o.longestName().equals("--profile")) {
            return "dovecot";
        }
        return "/some/" + o.longestName().substring(2);
    }

    /** Every field of the command's objects after parsing, or the error picocli gave. */
    private static String parse(CommandLine cl, List<String> args) {
        try {
            cl.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            return "error " + e.getClass().getSimpleName() + ": " + e.getMessage() + " in "
                    + e.getCommandLine().getCommandSpec().qualifiedName();
        }
        Map<String, String> fields = new TreeMap<>();
        dump(cl.getCommandSpec().userObject(), "spoollock", fields);
        CommandLine sub = cl.getSubcommands().values().iterator().next();
        dump(sub.getCommandSpec().userObject(), sub.getCommandName(), fields);
        return fields.toString();
    }

    private static void dump(Object object, String path, Map<String, String> into) {
        for (Class<?> c = object.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                Object v;
                try {
                    v = f.get(object);
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
                String at = path + "." + f.getName();
                if (v instanceof CommandSpec s) {
                    // a @Spec field: which command's line a mixin's or command's error names
                    into.put(at, "spec of " + s.commandLine().getCommandSpec().qualifiedName());
                } else if (v != null && v.getClass().getName().startsWith("org.spoollock.cli.")) {
                    dump(v, at, into);
                } else {
                    into.put(at, v == null ? "null" : v.getClass().getSimpleName() + " " + v);
                }
            }
        }
    }

    private static String describe(CommandSpec spec) {
        StringBuilder b = new StringBuilder();
        b.append("name ").append(spec.name()).append(", qualified ").append(spec.qualifiedName())
                .append(", exit codes ").append(spec.exitCodeOnInvalidInput()).append('/')
                .append(spec.exitCodeOnExecutionException())
                .append(", version ").append(spec.versionProvider() == null ? null : spec.versionProvider().getClass())
                .append(", negated ").append(new TreeMap<>(spec.negatedOptionsMap()).keySet())
                .append(", unmatched as positional ").append(spec.parser().unmatchedOptionsArePositionalParams())
                .append('\n');
        for (OptionSpec o : spec.options()) {
            b.append("option ").append(Arrays.toString(o.names())).append(describeArg(o))
                    .append(", fallback ").append(o.fallbackValue()).append(", negatable ").append(o.negatable())
                    .append(", usage help ").append(o.usageHelp()).append(", version help ").append(o.versionHelp())
                    .append(", help ").append(o.help()).append(", order ").append(o.order())
                    .append(", inherited ").append(o.inherited()).append('\n');
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            b.append("positional ").append(p.index()).append(describeArg(p)).append('\n');
        }
        return b.toString();
    }

    private static String describeArg(ArgSpec a) {
        return ": arity " + a.arity() + ", type " + a.type().getName() + ", aux " + Arrays.toString(a.auxiliaryTypes())
                + ", label " + a.paramLabel() + ", hide syntax " + a.hideParamSyntax() + ", required " + a.required()
                + ", hidden " + a.hidden() + ", interactive " + a.interactive() + ", echo " + a.echo()
                + ", split " + a.splitRegex() + " " + a.splitRegexSynopsisLabel() + ", scope " + a.scopeType()
                + ", default " + a.defaultValue() + ", initial " + a.hasInitialValue() + " " + a.initialValue()
                + ", converters " + a.converters().length + ", candidates " + a.completionCandidates()
                + ", multi-valued " + a.isMultiValue();
    }
}
