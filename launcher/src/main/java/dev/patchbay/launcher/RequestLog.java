package dev.patchbay.launcher;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * One line in the daemon's log per request: who sent it (the peer's user, from {@code SO_PEERCRED}), what it was (the
 * command line, or the CNI verb, plugin type, container and interface), how it ended and how long it ran. Always at
 * level info ({@link DaemonLog} does not read an operator's words for a level).
 */
final class RequestLog {
    static final String PREFIX = "patchbay: request ";

    private RequestLog() {
    }

    /** The peer's user name and pid, {@code root pid 4242}, each {@code ?} when the kernel does not say. */
    static String peer(SocketChannel ch) {
        String user;
        try {
            UnixDomainPrincipal p = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            user = p.user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            user = "?";
        }
        java.util.OptionalLong pid = PeerPid.of(ch);
        return user + " pid " + (pid.isPresent() ? Long.toString(pid.getAsLong()) : "?");
    }

    /** What a call asks, for the log. */
    static String what(DaemonSocket.Call call) {
        if (call instanceof DaemonSocket.CniCall cni) {
            return "CNI " + cni.env().getOrDefault("CNI_COMMAND", "?") + " " + cni.type()
                    + " container " + cni.env().getOrDefault("CNI_CONTAINERID", "-") + " " + cni.env().getOrDefault("CNI_IFNAME", "-");
        }
        return "patchbay " + String.join(" ", ((DaemonSocket.Request) call).args());
    }

    /** The line: {@code patchbay: request from root pid 4242: patchbay network ls -> exit 0 in 3.41 ms}. */
    static String line(String peer, DaemonSocket.Call call, String outcome, long nanos) {
        return PREFIX + "from " + peer + ": " + what(call) + " -> " + outcome + " in " + String.format(Locale.ROOT, "%.2f", nanos / 1e6) + " ms";
    }
}
