package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;
import java.net.InetAddress;

/** A published port: {@code hostIp:hostPorts} (null hostIp: any address of the host) to {@code containerPorts}, of one size. */
public record PortMapping(Protocol protocol, InetAddress hostIp, PortRange hostPorts, PortRange containerPorts) {

    public PortMapping {
        if (protocol == null) {
            throw new InvalidInputException("protocol", null, "is required");
        }
        if (hostPorts.size() != containerPorts.size()) {
            throw new InvalidInputException("port mapping", hostPorts + ":" + containerPorts,
                    "host range has " + hostPorts.size() + " ports, container range " + containerPorts.size());
        }
    }

    /** Parses {@code [HOSTIP:]HOSTPORT[-END]:CTRPORT[-END][/PROTO]}, IPv6 in brackets ({@code [::1]:8080:80}); tcp by default. */
    public static PortMapping parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("publish", text, "expected [HOSTIP:]HOSTPORT[-END]:CTRPORT[-END][/PROTO]");
        }
        String rest = text;
        Protocol proto = Protocol.TCP;
        int slash = rest.lastIndexOf('/');
        if (slash >= 0) {
            proto = Protocol.parse(rest.substring(slash + 1));
            rest = rest.substring(0, slash);
        }
        InetAddress hostIp = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf("]:");
            if (close < 0) {
                throw new InvalidInputException("publish", text, "an IPv6 host address must be written [ADDR]:PORT:PORT");
            }
            hostIp = IpAddresses.parse("publish host address", rest.substring(1, close));
            rest = rest.substring(close + 2);
        }
        String[] parts = rest.split(":", -1);
        if (hostIp == null && parts.length == 3) {
            hostIp = IpAddresses.parse("publish host address", parts[0]);
            parts = new String[] {parts[1], parts[2]};
        }
        if (parts.length != 2) {
            throw new InvalidInputException("publish", text, "expected [HOSTIP:]HOSTPORT[-END]:CTRPORT[-END][/PROTO]");
        }
        PortRange host = PortRange.parse("publish host port", parts[0]);
        PortRange ctr = PortRange.parse("publish container port", parts[1]);
        return new PortMapping(proto, hostIp, host, ctr);
    }

    @Override
    public String toString() {
        String ip = hostIp == null ? "" : (hostIp.getAddress().length == 16 ? "[" + IpAddresses.format(hostIp) + "]:" : IpAddresses.format(hostIp) + ":");
        return ip + hostPorts + ":" + containerPorts + "/" + protocol.label();
    }
}
