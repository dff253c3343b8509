package dev.patchbay.launcher;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * Where the daemon serves its metrics ({@value #SETTING}): {@code off} (the default), {@code unix:/PATH} (or {@code unix}
 * alone: {@code net-INODE.metrics.sock} beside the daemon's socket), or a loopback address and port, {@code 127.0.0.1:PORT}
 * or {@code [::1]:PORT}. Anything else is refused naming the setting and the value: the metrics name networks, and an
 * address others can reach is the operator's to put behind a proxy, not Patchbay's to open.
 *
 * @param address the socket to serve, null when off
 */
record MetricsEndpoint(SocketAddress address) {
    static final String SETTING = "PATCHBAY_METRICS";

    static final MetricsEndpoint OFF = new MetricsEndpoint(null);

    /**
     * The setting's value: the one place it is read from, this process's {@link Settings} (the configuration file's
     * {@code metrics} key, {@value #SETTING} over it).
     */
    static String setting() {
        return Settings.current().get(Setting.METRICS);
    }

    /** Why {@code value} is no endpoint (for the configuration's check), or null when it is one. */
    static String problem(String value) {
        try {
            parse(value, Path.of("/run/patchbay/net.sock"));
            return null;
        } catch (IllegalArgumentException e) {
            return "must be off, unix:/PATH or a loopback address and port (127.0.0.1:PORT, [::1]:PORT): "
                    + e.getMessage().substring((SETTING + "=" + value + ": ").length());
        }
    }

    boolean off() {
        return address == null;
    }

    /** What a log line calls it: {@code unix:/run/patchbay/x.sock} or {@code 127.0.0.1:9464}. */
    String describe() {
        if (address instanceof UnixDomainSocketAddress u) {
            return "unix:" + u.getPath();
        }
        InetSocketAddress i = (InetSocketAddress) address;
        String host = i.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + i.getPort();
    }

    /** The endpoint {@code value} names ({@code daemonSocket}: the daemon's, for {@code unix} alone). */
    static MetricsEndpoint parse(String value, Path daemonSocket) {
        String v = value == null ? "" : value.strip();
        if (v.isEmpty() || v.equals("off")) {
            return OFF;
        }
        if (v.equals("unix") || v.equals("unix:")) {
            String name = daemonSocket.getFileName().toString().replaceFirst("\\.sock$", "") + ".metrics.sock";
            return new MetricsEndpoint(UnixDomainSocketAddress.of(daemonSocket.resolveSibling(name)));
        }
        if (v.startsWith("unix:")) {
            String path = v.substring("unix:".length());
            if (!path.startsWith("/") || path.contains("\0") || path.endsWith("/")) {
                throw refused(value, "unix: takes an absolute path to a socket file, e.g. unix:/run/patchbay/metrics.sock");
            }
            return new MetricsEndpoint(UnixDomainSocketAddress.of(Path.of(path).normalize()));
        }
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            throw refused(value, "expected off, unix:/PATH, 127.0.0.1:PORT or [::1]:PORT");
        }
        String host = v.substring(0, colon);
        String port = v.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw refused(value, "an IPv6 address goes in brackets, e.g. [::1]:9464");
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw refused(value, "the port must be a number from 1 to 65535");
        }
        InetAddress address = literal(host, value);
        if (!address.isLoopbackAddress()) {
            throw refused(value, "only a loopback address (127.0.0.1, [::1]) is served: the metrics name networks; put a proxy"
                    + " in front to publish them");
        }
        return new MetricsEndpoint(new InetSocketAddress(address, Integer.parseInt(port)));
    }

    /** An IP address written as one: never a name to look up. */
    private static InetAddress literal(String host, String value) {
        boolean v4 = host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = host.matches("[0-9a-fA-F:.]+") && host.contains(":");
        if (!v4 && !v6) {
            throw refused(value, "the address must be an IP address (127.0.0.1 or [::1]), not a name");
        }
        if (v4) {
            for (String octet : host.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw refused(value, "not an IP address: " + host);
                }
            }
        }
        try {
            return InetAddress.getByName(host); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw refused(value, "not an IP address: " + host);
        }
    }

    private static IllegalArgumentException refused(String value, String why) {
        return new IllegalArgumentException(SETTING + "=" + value + ": " + why);
    }
}
