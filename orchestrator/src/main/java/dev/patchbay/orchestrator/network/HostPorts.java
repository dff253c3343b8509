package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the host namespace already has where a port is to be published: sockets bound to the port (asked of the
 * kernel's sock_diag there through the stack; else read from {@code /proc/net/tcp}, {@code tcp6}, {@code udp}, {@code udp6}
 * of the host namespace) and the addresses it holds. A
 * published port is DNATed before any local socket sees it, so a host process listening there would silently lose its
 * traffic (Docker and Podman fail such a publish too: their proxy cannot bind); a host address the namespace does not
 * have would publish nothing. Both refused at publish time, naming the port and the process or the address.
 */
public final class HostPorts {
    private HostPorts() {
    }

    /** A socket bound in the host namespace: protocol, local address and port, and its inode (to find its process). */
    public record Listener(Protocol protocol, InetAddress address, int port, long inode) {
        public boolean wildcard() {
            return address.isAnyLocalAddress();
        }

        @Override
        public String toString() {
            return protocol.label() + " " + (address.getAddress().length == 16 ? "[" + IpAddresses.format(address) + "]" : IpAddresses.format(address)) + ":" + port;
        }
    }

    /** Refuses mappings whose host address the host namespace lacks, or whose port a host socket holds. Reads only. */
    static void check(NetworkStack stack, NetnsRef hostRef, NetnsHandle host, List<PortMapping> ports) {
        if (ports.isEmpty()) {
            return;
        }
        List<InetAddress> local = null;
        for (PortMapping p : ports) {
            if (p.hostIp() != null && !p.hostIp().isAnyLocalAddress() && !p.hostIp().isLoopbackAddress()) { // lo: local by its route
                if (local == null) {
                    local = new ArrayList<>();
                    for (AddressOps.Assigned a : host.addresses().listAll(null)) {
                        local.add(a.address().address());
                    }
                }
                if (!local.contains(p.hostIp())) {
                    throw new InvalidInputException("publish", p, "host address " + IpAddresses.format(p.hostIp()) + " is not an address of "
                            + hostRef.describe() + " (its addresses: " + String.join(", ", local.stream().map(IpAddresses::format).toList()) + ")");
                }
            }
        }
        List<Listener> bound = listeners(stack, hostRef);
        for (PortMapping p : bound == null ? List.<PortMapping>of() : ports) { // null: a stack that cannot enter namespaces (tests)
            for (Listener l : bound) {
                if (shadows(p, l)) {
                    throw new AlreadyExistsException("failed to publish " + p + ": a host process already listens on " + l + " ("
                            + process(l.inode()) + "); the published port would take its traffic. Stop it, or publish another host port");
                }
            }
        }
    }

    /** The networks recorded in {@code stateDir} that live in the host namespace {@code hostRef} (for {@code doctor}). */
    public static List<dev.patchbay.core.network.NetworkConfig> networksIn(NetworkStack stack, java.nio.file.Path stateDir, NetnsRef hostRef) {
        dev.patchbay.core.model.NetnsId here = stack.identity(hostRef);
        List<dev.patchbay.core.network.NetworkConfig> out = new ArrayList<>();
        for (NetworkRecord r : new NetworkStore(stateDir).networks()) {
            if (NetnsIdentity.same(r.hostNetns(), here)) {
                out.add(r.config());
            }
        }
        return out;
    }

    /** Whether publishing {@code p} takes the traffic of socket {@code l}: same protocol and port, overlapping addresses. */
    public static boolean shadows(PortMapping p, Listener l) {
        if (l.protocol() != p.protocol() || l.port() < p.hostPorts().first() || l.port() > p.hostPorts().last()) {
            return false;
        }
        return p.hostIp() == null || p.hostIp().isAnyLocalAddress() || l.wildcard() || l.address().equals(p.hostIp());
    }

    /** The sockets bound in {@code hostRef}: TCP listening, UDP bound (asked of sock_diag there, else read from its /proc). */
    public static List<Listener> listeners(NetworkStack stack, NetnsRef hostRef) {
        try (NetnsHandle h = stack.open(hostRef)) {
            return h.listeningSockets().stream().map(s -> new Listener(s.protocol(), s.address(), s.port(), s.inode())).toList();
        } catch (dev.patchbay.core.errors.UnavailableException noSockDiag) {
            // a kernel without sock_diag: /proc tells the same
        }
        if (hostRef instanceof NetnsRef.Current) {
            return listeners(); // callers' threads never enter another namespace (see NetworkStack): read it here
        }
        return stack.callIn(hostRef, HostPorts::listeners);
    }

    /** The sockets bound in this thread's namespace. */
    private static List<Listener> listeners() {
        List<Listener> out = new ArrayList<>();
        read(Path.of("/proc/thread-self/net/tcp"), Protocol.TCP, "0A", out);
        read(Path.of("/proc/thread-self/net/tcp6"), Protocol.TCP, "0A", out);
        read(Path.of("/proc/thread-self/net/udp"), Protocol.UDP, "07", out);
        read(Path.of("/proc/thread-self/net/udp6"), Protocol.UDP, "07", out);
        return out;
    }

    /** {@code /proc/net/tcp}: {@code sl local rem st ... inode}; addresses hex in host (little-endian) order per 32-bit word. */
    private static void read(Path file, Protocol protocol, String state, List<Listener> out) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return; // no IPv6 in this kernel, say
        }
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length < 10 || !f[3].equals(state)) {
                continue;
            }
            int colon = f[1].indexOf(':');
            try {
                out.add(new Listener(protocol, address(f[1].substring(0, colon)), Integer.parseInt(f[1].substring(colon + 1), 16),
                        Long.parseLong(f[9])));
            } catch (RuntimeException | UnknownHostException e) {
                // a line this kernel writes differently: skip it
            }
        }
    }

    private static InetAddress address(String hex) throws UnknownHostException {
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            for (int i = 0; i < 4; i++) { // each 32-bit word little-endian
                b[word * 4 + i] = (byte) Integer.parseInt(hex.substring(word * 8 + (3 - i) * 2, word * 8 + (3 - i) * 2 + 2), 16);
            }
        }
        return InetAddress.getByAddress(b);
    }

    /** The process holding socket {@code inode}: {@code pid 123 "python3"}, or what can be said when it cannot be read. */
    public static String process(long inode) {
        String target = "socket:[" + inode + "]";
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (target.equals(String.valueOf(Files.readSymbolicLink(fd)))) {
                            String comm = Files.readString(proc.resolve("comm")).strip();
                            return "pid " + proc.getFileName() + " \"" + comm + "\"";
                        }
                    }
                } catch (IOException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        } catch (IOException e) {
            // no /proc
        }
        return "its process could not be read";
    }
}
