package org.spoollock.build;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Build step (pom.xml, package phase): rewrites a jar's classes older than class-file version 52 (Java 8)
 * to 52, with stack map frames computed, in the copy under target/lib that the launcher and the release
 * archive use. Why: picocli's classes are version 49 (Java 5), and the JVM's class data sharing refuses
 * classes before version 50 ("Pre JDK 6 class not supported by CDS"), so every command loaded and verified
 * picocli's 173 classes from the jar at every start (about 40 ms of a one-message count on JDK 25 with the
 * AOT cache; measured in docs/operations.md). The Maven artifact's own POM still names the original jar.
 *
 * <p>Then every class of the result is loaded and initialized in a class loader of its own, so that a frame
 * the verifier would reject fails the build here, not a user's command later.
 *
 * <pre>RaiseClassFileVersion JAR</pre>
 */
public final class RaiseClassFileVersion {
    private static final int JAVA_8 = 52;

    private RaiseClassFileVersion() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: RaiseClassFileVersion JAR");
        }
        Path jar = Path.of(args[0]);
        Path raised = jar.resolveSibling(jar.getFileName() + ".raised");
        int changed;
        List<String> names;
        try {
            try (URLClassLoader original = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                    ClassLoader.getPlatformClassLoader())) {
                changed = rewrite(jar, raised, original);
            }
            names = changed == 0 ? List.of() : verify(raised);
        } catch (Exception | LinkageError e) { // nothing half-made is left beside the jar
            Files.deleteIfExists(raised);
            throw e;
        }
        if (changed == 0) {
            Files.delete(raised);
            System.out.println("RaiseClassFileVersion: " + jar + ": every class is version " + JAVA_8 + " or later");
            return;
        }
        Files.move(raised, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("RaiseClassFileVersion: " + jar + ": " + changed + " classes raised to version " + JAVA_8
                + ", " + names.size() + " loaded and verified");
    }

    private static int rewrite(Path in, Path out, ClassLoader resolver) throws IOException {
        int changed = 0;
        try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(in));
             ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(out))) {
            ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                String n = e.getName().toUpperCase(java.util.Locale.ROOT);
                if (n.startsWith("META-INF/") && (n.endsWith(".SF") || n.endsWith(".RSA") || n.endsWith(".DSA")
                        || n.endsWith(".EC"))) {
                    // a rewritten class would fail the signature's check at load time, in a user's command
                    throw new IOException(in + " is signed (" + e.getName() + "): its classes cannot be rewritten;"
                            + " drop the raise-picocli-class-version step or use an unsigned jar");
                }
                byte[] bytes = zin.readAllBytes();
                if (e.getName().endsWith(".class") && version(bytes) < JAVA_8) {
                    bytes = raise(bytes, resolver);
                    changed++;
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                zout.putNextEntry(copy);
                zout.write(bytes);
                zout.closeEntry();
            }
        }
        return changed;
    }

    private static int version(byte[] classFile) {
        return ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
    }

    private static byte[] raise(byte[] classFile, ClassLoader resolver) {
        // frames need the common superclass of two types: resolved from the jar itself and the JDK
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() {
                return resolver;
            }
        };
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9, w) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                super.visit(JAVA_8, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);
        return w.toByteArray();
    }

    /** Loads and initializes every class of {@code jar} (verification runs at linking); returns their names. */
    private static List<String> verify(Path jar) throws Exception {
        List<String> names = new ArrayList<>();
        try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(jar))) {
            ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                String n = e.getName();
                if (n.endsWith(".class") && !n.endsWith("module-info.class") && !n.startsWith("META-INF/")) {
                    names.add(n.substring(0, n.length() - ".class".length()).replace('/', '.'));
                }
            }
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            for (String n : names) {
                try {
                    Class.forName(n, true, loader);
                } catch (ExceptionInInitializerError initFailed) {
                    // linked (so verified) before its initializer ran: not this step's concern
                }
            }
        }
        return names;
    }
}
