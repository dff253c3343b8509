package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** What an attach decides before it changes anything: the container's interface name, its addresses, the IPAM ranges. */
final class AttachInputs {
    private AttachInputs() {
    }

    /**
     * The container's interface for an attach: the first {@code ethN} its namespace does not have (eth0, eth1, ...),
     * as Podman picks one. Chosen before anything changes; the attachment records it. For {@code attach} without
     * {@code --ifname}.
     */
    static IfName nextFreeIfName(NetworkStack stack, NetnsRef container) {
        return nextFreeIfName(stack, null, container);
    }

    /**
     * The same, after a detach that a daemon has not finished: its veth pair waits in {@code host} for its deletion
     * (down, marked: {@link PendingLinks}), its container end still named, without carrier. An {@code ethN} veth of the
     * container without carrier may be such an end: the marked links of {@code host} are deleted first, so that an attach
     * right after a detach takes the same name again (it took eth1 while eth0 waited). Null {@code host}: no such wait.
     */
    static IfName nextFreeIfName(NetworkStack stack, NetnsRef host, NetnsRef container) {
        if (!java.nio.file.Files.exists(container.path())) {
            return new IfName("eth0"); // the attach names what is wrong with the namespace
        }
        try (NetnsHandle ctr = stack.open(container)) {
            java.util.List<dev.patchbay.core.model.Link> links = ctr.links().list();
            if (host != null && links.stream().anyMatch(l -> l.name().value().startsWith("eth") && "veth".equals(l.kind()) && !l.lowerUp())
                    && PendingLinks.finish(stack, host)) {
                links = ctr.links().list();
            }
            java.util.Set<String> taken = new java.util.HashSet<>();
            links.forEach(l -> taken.add(l.name().value()));
            for (int i = 0; ; i++) {
                if (!taken.contains("eth" + i)) {
                    return new IfName("eth" + i);
                }
            }
        }
    }

    static void checkAddresses(NetworkConfig config, List<InetAddress> addresses) {
        boolean v4 = false;
        boolean v6 = false;
        for (InetAddress a : addresses) {
            boolean isV4 = a.getAddress().length == 4;
            IpPrefix subnet = isV4 ? config.subnet() : config.subnet6();
            if (subnet == null || !subnet.contains(a)) {
                throw new InvalidInputException("ip", IpAddresses.format(a), "is not inside the network's subnet "
                        + (subnet == null ? "(the network has no IPv6 subnet)" : subnet));
            }
            if ((isV4 && v4) || (!isV4 && v6)) {
                throw new InvalidInputException("ip", IpAddresses.format(a), "at most one address per family");
            }
            v4 |= isV4;
            v6 |= !isV4;
        }
    }

    static IpamConfig ipamConfig(NetworkConfig config) {
        List<RangeSet> sets = new ArrayList<>();
        sets.add(RangeSet.of(range(config, NetworkManager.IPAM_RANGE, config.subnet(), config.gateway())));
        if (config.subnet6() != null) {
            sets.add(RangeSet.of(range(config, NetworkManager.IPAM_RANGE6, config.subnet6(), config.gateway6())));
        }
        return new IpamConfig(sets, List.of(), List.of(), null);
    }

    /** The subnet's range: all of it, or the option's {@code FIRST-LAST} (either end may be left out), inside it. */
    private static IpRange range(NetworkConfig config, String key, IpPrefix subnet, InetAddress gateway) {
        String text = config.options().get(key);
        if (text == null) {
            return new IpRange(subnet, null, null, gateway);
        }
        int dash = text.indexOf('-');
        if (dash < 0 || text.equals("-")) {
            throw new InvalidInputException(key, text, "expected FIRST-LAST inside " + subnet + ", e.g. "
                    + IpAddresses.format(NetworkConfig.firstHost(subnet)) + "-" + IpAddresses.format(IpAddresses.add(NetworkConfig.firstHost(subnet), 9)));
        }
        InetAddress first = dash == 0 ? null : IpAddresses.parse(key, text.substring(0, dash));
        InetAddress last = dash == text.length() - 1 ? null : IpAddresses.parse(key, text.substring(dash + 1));
        for (InetAddress a : java.util.Arrays.asList(first, last)) {
            if (a != null && !subnet.contains(a)) {
                throw new InvalidInputException(key, text, IpAddresses.format(a) + " is not inside " + subnet);
            }
        }
        if (first != null && last != null && IpAddresses.toBigInteger(first).compareTo(IpAddresses.toBigInteger(last)) > 0) {
            throw new InvalidInputException(key, text, "the first address comes after the last");
        }
        return new IpRange(subnet, first, last, gateway);
    }
}
