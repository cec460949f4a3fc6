package org.spoollock.lmtp;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.spoollock.posix.Posix;

/**
 * The LMTP delivery service: listens where {@link LmtpConfig} says, one thread per connection (up to
 * {@code maxConnections}; more are told 421), deliveries through per-mailbox group commit. {@link #stop}
 * stops accepting, lets deliveries under way finish, answers 421 to everything else, and returns when
 * every connection has ended.
 */
public final class LmtpServer implements AutoCloseable {
    private final LmtpConfig config;
    private final ServiceLog log;
    private final ServiceStats stats = new ServiceStats();
    private final RecipientResolver resolver;
    private final Deliverer deliverer;
    private final List<ServerSocketChannel> servers = new ArrayList<>();
    private final Set<LmtpConnection> connections = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lmtp-timer");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;
    private org.spoollock.guard.SpoolGuardian guardian;

    private LmtpServer(LmtpConfig config, PrintStream logTo) {
        this.config = config;
        this.log = new ServiceLog(logTo, "lmtp");
        this.resolver = new RecipientResolver(config.mailboxTemplate(), config.format(), config.users(),
                Posix.get().geteuid() == 0 && config.users() == Users.PASSWD);
        this.deliverer = new Deliverer(config);
    }

    /** Binds every listener (all or none) and starts accepting. */
    public static LmtpServer start(LmtpConfig config, PrintStream logTo) throws IOException {
        LmtpServer s = new LmtpServer(config, logTo);
        try {
            for (Listen l : config.listen()) {
                s.servers.add(s.bind(l));
            }
        } catch (IOException | RuntimeException e) {
            s.closeListeners();
            throw e;
        }
        for (int i = 0; i < s.servers.size(); i++) {
            ServerSocketChannel ch = s.servers.get(i);
            Listen l = config.listen().get(i);
            Thread t = new Thread(() -> s.accept(ch, l), "lmtp-accept-" + l);
            s.threads.add(t);
            t.start();
        }
        long idleCheck = Math.max(200, Math.min(1000, config.idleTimeout().toMillis() / 4));
        s.timer.scheduleWithFixedDelay(s::closeIdle, idleCheck, idleCheck, TimeUnit.MILLISECONDS);
        if (!config.statsEvery().isZero()) {
            long every = config.statsEvery().toMillis();
            s.timer.scheduleAtFixedRate(() -> s.log.log("stats", s.stats.fields()), every, every, TimeUnit.MILLISECONDS);
        }
        if (!config.guard().isEmpty()) {
            ServiceLog glog = new ServiceLog(logTo, "guard");
            try {
                s.guardian = org.spoollock.guard.SpoolGuardian.start(config.guard(),
                        org.spoollock.guard.SpoolGuardian.Options.defaults(config.store()), glog::log);
            } catch (IOException | RuntimeException e) {
                s.closeListeners();
                throw e;
            }
        }
        s.log.log("started", "listen", config.listen(), "mailbox", config.mailboxTemplate(), "users",
                config.users().name().toLowerCase(java.util.Locale.ROOT), "max_size", config.maxSize());
        return s;
    }

    private ServerSocketChannel bind(Listen l) throws IOException {
        if (l.address() instanceof UnixDomainSocketAddress u) {
            Path p = u.getPath();
            // a socket file left by a previous instance that is gone; anything else there is not ours to remove
            if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                boolean socket = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther();
                if (!socket || connectable(u)) {
                    throw new IOException("cannot listen on unix:" + p + ": "
                            + (socket ? "another process is listening there" : "a file that is not a socket is in the way"));
                }
                Files.delete(p);
            }
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.bind(u, 128);
                // the MTA connects as its own user (Postfix: postfix), as it would to a local transport
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
            } catch (IOException e) {
                ch.close();
                throw new IOException("cannot listen on unix:" + p + ": " + e.getMessage(), e);
            }
            return ch;
        }
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(l.address(), 128);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot listen on " + l + ": " + e.getMessage(), e);
        }
        return ch;
    }

    private static boolean connectable(UnixDomainSocketAddress u) {
        try (SocketChannel c = SocketChannel.open(u)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    LmtpConfig config() {
        return config;
    }

    ServiceLog log() {
        return log;
    }

    ServiceStats stats() {
        return stats;
    }

    RecipientResolver resolver() {
        return resolver;
    }

    Deliverer deliverer() {
        return deliverer;
    }

    boolean stopping() {
        return stopping;
    }

    /** The address a listener is bound to (a TCP port given as 0 gets a real one). */
    public java.net.SocketAddress boundAddress(int listener) throws IOException {
        return servers.get(listener).getLocalAddress();
    }

    private void accept(ServerSocketChannel server, Listen where) {
        while (!stopping) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                log.log("accept-error", "listen", where, "error", e.getMessage());
                sleepQuietly(100); // EMFILE and the like: do not spin
                continue;
            }
            String peer = peerOf(ch, where);
            stats.connections.incrementAndGet();
            if (stats.open.get() >= config.maxConnections()) {
                stats.refusedConnections.incrementAndGet();
                refuse(ch, "too many connections (" + config.maxConnections() + "), try again later");
                continue;
            }
            LmtpConnection c = new LmtpConnection(ch, peer, this);
            connections.add(c);
            stats.open.incrementAndGet();
            Thread t = new Thread(() -> {
                try {
                    c.run();
                } finally {
                    connections.remove(c);
                    stats.open.decrementAndGet();
                    synchronized (connections) {
                        connections.notifyAll();
                    }
                }
            }, "lmtp-" + peer);
            t.start();
        }
    }

    private static String peerOf(SocketChannel ch, Listen where) {
        try {
            java.net.SocketAddress a = ch.getRemoteAddress();
            return a instanceof java.net.InetSocketAddress i ? i.getAddress().getHostAddress() + ":" + i.getPort()
                    : where.toString();
        } catch (IOException e) {
            return where.toString();
        }
    }

    private void refuse(SocketChannel ch, String why) {
        try (ch) {
            ch.write(java.nio.ByteBuffer.wrap(("421 4.3.2 " + why + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (IOException ignored) {
            // it is closed either way
        }
    }

    private void closeIdle() {
        long limit = config.idleTimeout().toNanos();
        for (LmtpConnection c : connections) {
            if (c.state() == LmtpConnection.State.WAITING || c.state() == LmtpConnection.State.RECEIVING) {
                if (c.idleNanos() > limit) {
                    log.log("idle-timeout", "peer", c.peer());
                    c.closeWaiting(Reply.of(421, "4.4.2", config.hostname() + " idle for too long, closing"));
                }
            }
        }
    }

    /**
     * Stops accepting; connections waiting for a command are told 421 and closed, those receiving or
     * delivering a message finish it and are told 421 after their replies. Waits up to {@code grace}
     * for them (deliveries wait for locks: give at least the lock timeout), then closes what is left.
     */
    public void stop(Duration grace) {
        stopping = true;
        closeListeners();
        for (LmtpConnection c : connections) {
            if (c.state() == LmtpConnection.State.WAITING) {
                c.closeWaiting(c.shuttingDown());
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (connections) {
            while (!connections.isEmpty() && System.nanoTime() < deadline) {
                try {
                    connections.wait(Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (LmtpConnection c : connections) {
            log.log("abandoned", "peer", c.peer(), "state", c.state());
            c.closeNow();
        }
        timer.shutdownNow();
        if (guardian != null) {
            guardian.close();
        }
        log.log("stopped", stats.fields());
    }

    private void closeListeners() {
        for (int i = 0; i < servers.size(); i++) {
            try {
                servers.get(i).close();
            } catch (IOException ignored) {
                // closing
            }
            if (config.listen().get(i).address() instanceof UnixDomainSocketAddress u) {
                try {
                    Files.deleteIfExists(u.getPath());
                } catch (IOException ignored) {
                    // a stale socket file is replaced at the next start
                }
            }
        }
    }

    @Override
    public void close() {
        if (!stopping) {
            stop(config.store().timeout().plusSeconds(5));
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
