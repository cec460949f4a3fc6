package org.spoollock.cli;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Spec;

/**
 * The picocli model of the short commands (those an MDA or a script starts once per message), generated as
 * Java code at build time from their annotations, so that their start reads no annotation and reflects on
 * nothing. Reading annotations makes the JVM generate a proxy class per annotation type (picocli's Command,
 * Option, Parameters, Mixin and Spec, the JDK's Retention, Target, Deprecated...), which JDK 25's AOT cache
 * cannot keep, and setting fields by reflection spins method-handle classes per field type: together about
 * 60 ms of a one-message {@code count} (docs/operations.md, "Start-up").
 *
 * <p>The build (pom.xml, process-classes) runs {@link #main} on the compiled classes and compiles what it
 * writes, {@code PrebuiltCommands}, into the same classes, so the code follows the annotations of that very
 * build. It refuses what it cannot describe (converters, completion candidates, argument groups, options on
 * methods) rather than describe it wrongly. PrebuiltModelTest compares the generated model with the annotated
 * one attribute by attribute and parses the same arguments through both. Help and version requests (which
 * print the descriptions left out here), and a build without the generated class (an IDE's), take the
 * annotated model ({@link Main#run}).
 */
public final class PrebuiltModel {
    /** The commands generated: the short ones (the launcher runs the same list on C1 alone; CommandNamesTest). */
    static final Set<String> COMMANDS = Set.of("lock", "locks", "open", "count", "list", "deliver", "flag", "expunge",
            "check");
    static final String GENERATED = "org.spoollock.cli.PrebuiltCommands";

    /** What the generated class does; it puts itself here when it is initialized. */
    interface Commands {
        /** The command line for {@code name} (one of {@link #COMMANDS}) and its parent, or null. */
        CommandLine commandLine(Object root, String name, Object command);
    }

    static volatile Commands generated;

    private PrebuiltModel() {
    }

    /**
     * The command line for {@code name}, its parent and nothing else, from the generated code; null when the
     * classes were built without it: the caller reads annotations then.
     */
    static CommandLine commandLine(Object root, String name, Object command) {
        if (generated == null) {
            try {
                Class.forName(GENERATED, true, PrebuiltModel.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
        }
        Commands g = generated;
        return g == null ? null : g.commandLine(root, name, command);
    }

    /** Build time: {@code PrebuiltModel SOURCE_FILE} writes {@code PrebuiltCommands.java}. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, new Writer().source(Main.fullCommandLine()), StandardCharsets.UTF_8);
    }

    /** Writes the Java source of the model: a method per command, one class binding every field. */
    static final class Writer {
        /** Each bound field once, numbered in the order met: its number is its case in Bound's switches. */
        private final Map<Field, Integer> fields = new LinkedHashMap<>();
        private final StringBuilder methods = new StringBuilder();

        String source(CommandLine full) {
            method("root", full.getCommandSpec(), true);
            List<String> names = new ArrayList<>(COMMANDS);
            names.sort(null);
            StringBuilder dispatch = new StringBuilder();
            for (String name : names) {
                CommandLine sub = full.getSubcommands().get(name);
                if (sub == null) {
                    throw new IllegalStateException("no command " + name + " to generate");
                }
                String method = "command" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
                method(method, sub.getCommandSpec(), false);
                dispatch.append("            case ").append(literal(name)).append(": sub = ").append(method).append("((")
                        .append(typeName(sub.getCommandSpec().userObject().getClass())).append(") command); break;\n");
            }
            String root = typeName(full.getCommandSpec().userObject().getClass());
            return "// generated by org.spoollock.cli.PrebuiltModel at build time from the CLI's annotations; do not edit\n"
                    + "package org.spoollock.cli;\n\n"
                    + "import picocli.CommandLine;\n"
                    + "import picocli.CommandLine.Model.CommandSpec;\n"
                    + "import picocli.CommandLine.Model.IGetter;\n"
                    + "import picocli.CommandLine.Model.ISetter;\n"
                    + "import picocli.CommandLine.Model.OptionSpec;\n"
                    + "import picocli.CommandLine.Model.PositionalParamSpec;\n"
                    + "import picocli.CommandLine.Range;\n"
                    + "import picocli.CommandLine.ScopeType;\n\n"
                    + "/** The short commands' picocli model, without annotations or reflection (PrebuiltModel). */\n"
                    + "final class PrebuiltCommands implements PrebuiltModel.Commands {\n"
                    + "    static {\n"
                    + "        PrebuiltModel.generated = new PrebuiltCommands();\n"
                    + "    }\n\n"
                    + "    @Override\n"
                    + "    public CommandLine commandLine(Object root, String name, Object command) {\n"
                    + "        CommandSpec sub;\n"
                    + "        switch (name) {\n"
                    + dispatch
                    + "            default: return null;\n"
                    + "        }\n"
                    + "        CommandLine cl = new CommandLine(root((" + root + ") root));\n"
                    + "        cl.addSubcommand(name, new CommandLine(sub));\n"
                    + "        return cl;\n"
                    + "    }\n"
                    + methods
                    + bound()
                    + "}\n";
        }

        private void method(String method, CommandSpec spec, boolean root) {
            if (!spec.argGroups().isEmpty() || (!root && !spec.subcommands().isEmpty())) {
                throw new IllegalStateException(spec.qualifiedName() + ": argument groups and nested commands"
                        + " are not generated");
            }
            Object command = spec.userObject();
            StringBuilder b = methods;
            b.append("\n    private static CommandSpec ").append(method).append('(').append(typeName(command.getClass()))
                    .append(" c) {\n");
            b.append("        CommandSpec spec = CommandSpec.wrapWithoutInspection(c).name(").append(literal(spec.name()))
                    .append(");\n");
            b.append("        spec.exitCodeOnInvalidInput(").append(spec.exitCodeOnInvalidInput()).append(");\n");
            b.append("        spec.exitCodeOnExecutionException(").append(spec.exitCodeOnExecutionException()).append(");\n");
            if (root && spec.versionProvider() != null) {
                b.append("        spec.versionProvider(new ").append(typeName(spec.versionProvider().getClass()))
                        .append("());\n");
            }
            Map<Object, String> paths = new IdentityHashMap<>();
            walk(command, "c", paths);
            for (OptionSpec o : spec.options()) {
                if (o.inherited()) {
                    continue; // the parent's, added again by addSubcommand
                }
                String bind = binding(o, paths);
                b.append("        spec.addOption(").append(bind).append("OptionSpec.builder(");
                String[] names = o.names();
                for (int i = 0; i < names.length; i++) {
                    b.append(i == 0 ? "" : ", ").append(literal(names[i]));
                }
                b.append(")").append(attributes(o, !bind.isEmpty()))
                        .append("\n                .fallbackValue(").append(literal(o.fallbackValue())).append(")")
                        .append(".negatable(").append(o.negatable()).append(")")
                        .append(".usageHelp(").append(o.usageHelp()).append(")")
                        .append(".versionHelp(").append(o.versionHelp()).append(")")
                        .append(".help(").append(o.help()).append(")")
                        .append(".order(").append(o.order()).append(")")
                        .append(bind.isEmpty() ? "" : ")").append(".build());\n");
            }
            for (PositionalParamSpec p : spec.positionalParameters()) {
                String bind = binding(p, paths);
                b.append("        spec.addPositional(").append(bind).append("PositionalParamSpec.builder()")
                        .append(".index(").append(literal(p.index().toString())).append(")")
                        .append(attributes(p, !bind.isEmpty()))
                        .append(bind.isEmpty() ? "" : ")").append(".build());\n");
            }
            b.append("        return spec;\n    }\n");
        }

        /**
         * The objects picocli made for @Mixin fields, made here in the same places, and the @Spec fields, given
         * the command's spec (a mixin's exceptions then name the command it is mixed into, as they do now).
         */
        private void walk(Object object, String path, Map<Object, String> paths) {
            paths.put(object, path);
            for (Class<?> c = object.getClass(); c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    String fieldPath = path + "." + f.getName();
                    if (f.getAnnotation(Spec.class) != null) {
                        methods.append("        ").append(fieldPath).append(" = spec;\n");
                    }
                    if (f.getAnnotation(Mixin.class) != null) {
                        Object mixin = read(f, object);
                        methods.append("        ").append(fieldPath).append(" = new ")
                                .append(typeName(mixin.getClass())).append("();\n");
                        walk(mixin, fieldPath, paths);
                    }
                }
            }
        }

        /** "bind(new Bound(N, path), " for an argument on a field of the command's objects; "" for help options. */
        private String binding(ArgSpec a, Map<Object, String> paths) {
            if (!(a.userObject() instanceof Field f)) {
                throw new IllegalStateException(a + ": only options and parameters on fields are generated");
            }
            Object scope;
            try {
                scope = a.scope() == null ? null : a.scope().get();
            } catch (Exception e) {
                throw new IllegalStateException(a + ": " + e, e);
            }
            String path = scope == null ? null : paths.get(scope);
            if (path == null) {
                if (a instanceof OptionSpec o && (o.usageHelp() || o.versionHelp())) {
                    return ""; // picocli's standard help options, on its own mixin: bound to nothing here
                }
                throw new IllegalStateException(a + ": bound to a field outside the command's objects");
            }
            int id = fields.computeIfAbsent(f, k -> fields.size());
            return "bind(new Bound(" + id + ", " + path + "), ";
        }

        /** The attributes options and parameters share; an unbound one's initial value too (bind sets a field's). */
        private static String attributes(ArgSpec a, boolean bound) {
            if (a.converters().length > 0 || a.completionCandidates() != null || a.parameterConsumer() != null
                    || a.group() != null || a.typeInfo().isMap()) {
                throw new IllegalStateException(a + ": converters, completion candidates, parameter consumers,"
                        + " groups and maps are not generated");
            }
            StringBuilder b = new StringBuilder("\n                .arity(Range.valueOf(")
                    .append(literal(a.arity().toString())).append("))")
                    .append(".type(").append(classLiteral(a.type())).append(")")
                    .append(".auxiliaryTypes(");
            Class<?>[] aux = a.auxiliaryTypes();
            for (int i = 0; i < aux.length; i++) {
                b.append(i == 0 ? "" : ", ").append(classLiteral(aux[i]));
            }
            b.append(")\n                .paramLabel(").append(literal(a.paramLabel())).append(")")
                    .append(".hideParamSyntax(").append(a.hideParamSyntax()).append(")")
                    .append(".required(").append(a.required()).append(")")
                    .append(".hidden(").append(a.hidden()).append(")")
                    .append(".interactive(").append(a.interactive()).append(")")
                    .append(".echo(").append(a.echo()).append(")")
                    .append("\n                .splitRegex(").append(literal(a.splitRegex())).append(")")
                    .append(".splitRegexSynopsisLabel(").append(literal(a.splitRegexSynopsisLabel())).append(")")
                    .append(".scopeType(ScopeType.").append(a.scopeType().name()).append(")")
                    .append(".defaultValue(").append(literal(a.defaultValue())).append(")");
            if (!bound) {
                Object initial = a.initialValue();
                if (initial != null && !(initial instanceof Boolean)) {
                    throw new IllegalStateException(a + ": an unbound argument's initial value must be boolean");
                }
                b.append(".initialValue(").append(initial == null ? "null" : "Boolean." + String.valueOf(initial).toUpperCase(java.util.Locale.ROOT))
                        .append(").hasInitialValue(").append(a.hasInitialValue()).append(")");
            }
            return b.toString();
        }

        /** The binding class: every field by its number, read and written as picocli's field binding does. */
        private String bound() {
            StringBuilder get = new StringBuilder();
            StringBuilder set = new StringBuilder();
            for (Map.Entry<Field, Integer> e : fields.entrySet()) {
                Field f = e.getKey();
                String target = "((" + typeName(f.getDeclaringClass()) + ") target)." + f.getName();
                get.append("                case ").append(e.getValue()).append(": return (T) (Object) ").append(target)
                        .append(";\n");
                set.append("                case ").append(e.getValue()).append(": ").append(target).append(" = (")
                        .append(typeName(box(f.getType()))).append(") value; break;\n");
            }
            return "\n    /** An option's getter and setter take the initial value from the field, as picocli's own do. */\n"
                    + "    private static <B extends IGetter & ISetter> B initial(B b) {\n"
                    + "        return b;\n"
                    + "    }\n\n"
                    + "    private static OptionSpec.Builder bind(Bound b, OptionSpec.Builder o) {\n"
                    + "        return o.getter(b).setter(b).initialValue(b.get()).hasInitialValue(true);\n"
                    + "    }\n\n"
                    + "    /** The initial value is the field's, as with picocli's own field binding. */\n"
                    + "    private static PositionalParamSpec.Builder bind(Bound b, PositionalParamSpec.Builder p) {\n"
                    + "        return p.getter(b).setter(b).initialValue(b.get()).hasInitialValue(true);\n"
                    + "    }\n\n"
                    + "    /** A field of one of the command's objects, by number. */\n"
                    + "    private static final class Bound implements IGetter, ISetter {\n"
                    + "        private final int field;\n"
                    + "        private final Object target;\n\n"
                    + "        Bound(int field, Object target) {\n"
                    + "            this.field = field;\n"
                    + "            this.target = target;\n"
                    + "        }\n\n"
                    + "        @Override\n"
                    + "        @SuppressWarnings(\"unchecked\")\n"
                    + "        public <T> T get() {\n"
                    + "            switch (field) {\n"
                    + get
                    + "                default: throw new IllegalStateException(\"no field \" + field);\n"
                    + "            }\n"
                    + "        }\n\n"
                    + "        @Override\n"
                    + "        @SuppressWarnings({\"unchecked\", \"rawtypes\"})\n"
                    + "        public <T> T set(T value) {\n"
                    + "            T old = get();\n"
                    + "            switch (field) {\n"
                    + set
                    + "                default: throw new IllegalStateException(\"no field \" + field);\n"
                    + "            }\n"
                    + "            return old;\n"
                    + "        }\n"
                    + "    }\n";
        }
    }

    private static Object read(Field f, Object target) {
        try {
            f.setAccessible(true);
            return f.get(target);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(f + ": " + e, e);
        }
    }

    private static Class<?> box(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        return java.lang.invoke.MethodType.methodType(type).wrap().returnType();
    }

    private static String typeName(Class<?> type) {
        String name = type.getCanonicalName();
        if (name == null) {
            throw new IllegalStateException(type + " has no name to generate");
        }
        return name;
    }

    private static String classLiteral(Class<?> type) {
        return typeName(type) + ".class";
    }

    /** A Java string literal, or null. */
    static String literal(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.append('"').toString();
    }
}
