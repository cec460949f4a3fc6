package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A Dovecot IMAP server of the test's own (its configuration, base and state directories, log, a free
 * port on 127.0.0.1, plain-text login for the test user with a password of the test's), started as root
 * with {@code dovecot -c} and stopped at close; the machine's Dovecot configuration is not read or
 * touched. Mail is kept in Maildir under {@link #mail}, owned by the test user. The interop harness
 * (spooltest/interop/main) starts one the same way for its lock tests.
 */
final class PrivateDovecot implements AutoCloseable {
    static final String PASSWORD = "secret-of-the-test";

    final Path dir;
    final Path conf;
    final Path mail;
    final int port;

    private PrivateDovecot(Path dir, Path conf, Path mail, int port) {
        this.dir = dir;
        this.conf = conf;
        this.mail = mail;
        this.port = port;
    }

    static PrivateDovecot start(String name) throws Exception {
        return start(Peers.newDir(name), List.of());
    }

    /** An instance on the test user's {@code home} (a second one on the same mail after another stopped), with extra configuration lines. */
    static PrivateDovecot start(Path home, List<String> extra) throws Exception {
        Path dir = Files.createTempDirectory("spoollock-dovecot-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path mail = home.resolve("Maildir");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String uid = id("-u");
        String gid = id("-g");
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, Peers.USER + ":{PLAIN}" + PASSWORD + ":" + uid + ":" + gid + "::" + home + "\n");
        // read by Dovecot's auth process, which runs as its internal user (group of that user)
        Peers.Result internal = Peers.run(List.of("sh", "-c", "doveconf -d default_internal_user | sed 's/.*= //'"), 30);
        String who = internal.out().strip().isEmpty() ? "dovecot" : internal.out().strip();
        Peers.Result chown = Peers.run(List.of("chown", "root:" + who, passwd.toString()), 10);
        assertEquals(0, chown.status(), chown.toString());
        Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-r-----"));
        Path conf = dir.resolve("dovecot.conf");
        Files.writeString(conf, String.join("\n",
                "base_dir = " + dir.resolve("run"),
                "state_dir = " + dir.resolve("state"),
                "log_path = " + dir.resolve("dovecot.log"),
                "protocols = imap",
                "listen = 127.0.0.1",
                "ssl = no",
                "disable_plaintext_auth = no",
                "auth_mechanisms = plain",
                "passdb {", "  driver = passwd-file", "  args = scheme=PLAIN username_format=%u " + passwd, "}",
                "userdb {", "  driver = static", "  args = uid=" + uid + " gid=" + gid + " home=" + home, "}",
                "mail_location = maildir:" + mail,
                "service imap-login {", "  inet_listener imap {", "    address = 127.0.0.1", "    port = " + port, "  }",
                "  inet_listener imaps {", "    port = 0", "  }", "}",
                "service pop3-login {", "  inet_listener pop3 {", "    port = 0", "  }", "}",
                "service submission-login {", "  inet_listener submission {", "    port = 0", "  }", "}",
                "service lmtp {", "  unix_listener lmtp {", "    mode = 0", "  }", "}",
                "protocol imap {", "  mail_max_userip_connections = 100", "}", String.join("\n", extra), ""),
                StandardCharsets.UTF_8);
        Peers.Result r = Peers.run(List.of("dovecot", "-c", conf.toString()), 30);
        assertEquals(0, r.status(), "dovecot -c " + conf + ": " + r);
        PrivateDovecot d = new PrivateDovecot(dir, conf, mail, port);
        long until = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                return d;
            } catch (IOException e) {
                if (System.nanoTime() > until) {
                    d.close();
                    throw new IOException("Dovecot did not listen on port " + port + ": " + d.log(), e);
                }
                Thread.sleep(50);
            }
        }
    }

    private static String id(String what) {
        Peers.Result r = Peers.run(List.of("id", what, Peers.USER), 10);
        assertEquals(0, r.status(), r.toString());
        return r.out().strip();
    }

    /** {@code imap://USER@127.0.0.1:PORT/FOLDER}. */
    String url(String folder) {
        return "imap://" + Peers.USER + "@127.0.0.1:" + port + "/" + folder;
    }

    /**
     * doveadm of this instance, for the test user: e.g. {@code fetch 'uid flags' mailbox INBOX ALL} or
     * {@code mailbox status messages INBOX} ({@code -u USER} goes after the command's one or two words).
     */
    Peers.Result doveadm(String... args) {
        int words = args[0].equals("mailbox") ? 2 : 1;
        List<String> cmd = new ArrayList<>(List.of("doveadm", "-c", conf.toString()));
        cmd.addAll(List.of(args).subList(0, words));
        cmd.addAll(List.of("-u", Peers.USER));
        cmd.addAll(List.of(args).subList(words, args.length));
        return Peers.run(cmd, 120);
    }

    String log() {
        try {
            return Files.readString(dir.resolve("dovecot.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        Path pid = dir.resolve("run").resolve("master.pid");
        try {
            if (Files.exists(pid)) {
                long p = Long.parseLong(Files.readString(pid).strip());
                ProcessHandle.of(p).ifPresent(ProcessHandle::destroy);
                long until = System.nanoTime() + 10_000_000_000L;
                while (ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
            }
        } catch (IOException | NumberFormatException | InterruptedException e) {
            // the instance is gone already, or the test ends anyway
        }
    }
}
