package org.spoollock.lmtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/** A place to listen: {@code HOST:PORT} ({@code [v6]:PORT}) or {@code unix:PATH}. */
public record Listen(SocketAddress address) {
    public static Listen parse(String spec) {
        if (spec.startsWith("unix:")) {
            String p = spec.substring("unix:".length());
            if (p.isEmpty()) {
                throw new IllegalArgumentException("--listen " + spec + ": no socket path");
            }
            return new Listen(UnixDomainSocketAddress.of(Path.of(p)));
        }
        int colon = spec.lastIndexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("--listen " + spec + ": not HOST:PORT or unix:PATH");
        }
        String host = spec.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(spec.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen " + spec + ": port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen " + spec + ": port out of range");
        }
        try {
            return new Listen(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--listen " + spec + ": unknown host " + host);
        }
    }

    /** Whether only this machine can connect (a loopback address or a unix socket). */
    public boolean local() {
        return address instanceof UnixDomainSocketAddress
                || ((InetSocketAddress) address).getAddress().isLoopbackAddress();
    }

    @Override
    public String toString() {
        return address instanceof UnixDomainSocketAddress u ? "unix:" + u.getPath()
                : ((InetSocketAddress) address).getAddress().getHostAddress() + ":" + ((InetSocketAddress) address).getPort();
    }
}
