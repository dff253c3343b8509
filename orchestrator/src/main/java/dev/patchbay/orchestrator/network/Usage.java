package dev.patchbay.orchestrator.network;

import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.NetworkConfig;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a network holds, for the daemon's metrics: its attachments and, per address family, the addresses its ranges
 * reserve and those still to hand out. Read from the records only (the network's record, its attachment log, IPAM's
 * reservations): no kernel call, nothing changed.
 *
 * @param network the network's name
 * @param attachments the attachments its log holds
 * @param families {@code ipv4} first, {@code ipv6} if the network has it
 */
public record Usage(String network, int attachments, List<Addresses> families) {

    /** Addresses of one family: {@code used} reserved in the network's ranges, {@code free} neither reserved nor a gateway. */
    public record Addresses(String family, double used, double free) {
    }

    /** Every readable network of the state directory; a network that cannot be read is left out. */
    public static List<Usage> read(NetworkManager m, Path stateDir) {
        NetworkStore store = new NetworkStore(stateDir);
        Ipam ipam = m.ipam;
        List<Usage> out = new ArrayList<>();
        for (NetworkRecord rec : store.networks()) {
            NetworkConfig config = rec.config();
            List<AllocationRecord> reserved = ipam == null ? List.of() : ipam.list(Unplug.ipamDir(store.root(), config), config.name());
            List<Addresses> families = new ArrayList<>();
            for (RangeSet set : AttachInputs.ipamConfig(config).rangeSets()) {
                families.add(addresses(set, reserved));
            }
            out.add(new Usage(config.name(), store.readableAttachments(config.name()).size(), families));
        }
        return out;
    }

    /** One range set's addresses: the range's size less its gateway, less what is reserved inside it. */
    static Addresses addresses(RangeSet set, List<AllocationRecord> reserved) {
        BigInteger size = BigInteger.ZERO;
        long used = 0;
        boolean v4 = true;
        for (IpRange r : set.ranges()) {
            v4 = r.subnet().isV4();
            BigInteger start = IpAddresses.toBigInteger(r.rangeStart() != null ? r.rangeStart() : NetworkConfig.firstHost(r.subnet()));
            BigInteger end = IpAddresses.toBigInteger(r.rangeEnd() != null ? r.rangeEnd() : lastHost(r.subnet()));
            if (end.compareTo(start) < 0) {
                continue;
            }
            size = size.add(end.subtract(start).add(BigInteger.ONE));
            InetAddress gw = r.gateway() != null ? r.gateway() : NetworkConfig.firstHost(r.subnet());
            if (inside(gw, start, end)) {
                size = size.subtract(BigInteger.ONE);
            }
            for (AllocationRecord a : reserved) {
                if (a.address() != null && (a.address() instanceof Inet4Address) == v4 && inside(a.address(), start, end)
                        && !a.address().equals(gw)) {
                    used++;
                }
            }
        }
        double free = Math.max(0, size.doubleValue() - used);
        return new Addresses(v4 ? "ipv4" : "ipv6", used, free);
    }

    /** The last address handed out by default: IPv4's before the broadcast address, IPv6's the subnet's last. */
    private static InetAddress lastHost(IpPrefix subnet) {
        BigInteger last = IpAddresses.toBigInteger(subnet.last());
        return IpAddresses.fromBigInteger(subnet.isV4() && subnet.length() < 31 ? last.subtract(BigInteger.ONE) : last, subnet.family());
    }

    private static boolean inside(InetAddress a, BigInteger start, BigInteger end) {
        BigInteger n = IpAddresses.toBigInteger(a);
        return n.compareTo(start) >= 0 && n.compareTo(end) <= 0;
    }
}
