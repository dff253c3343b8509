package dev.patchbay.cni;

import com.google.gson.JsonObject;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * A configuration that only names a network made beforehand with {@code patchbay network create} (its {@code name} and
 * the driver's {@code type}, no {@code ipam}), of a driver that takes no settings from it (its {@code cniOptions} maps it
 * to none: the overlay, whose node subnet is leased in etcd by the create): ADD attaches to the network as it is, and
 * every verb only checks that it is still a network of that driver. Its IPAM is the network's own (its subnet, its
 * {@code ipam.range}, its {@code ipam.dir} or the state directory's).
 */
record ExistingConf(String type, NetworkConfig network, IpamConf ipam) implements NetworkConf {

    static ExistingConf of(String type, NetworkConfig net, Path stateDir) {
        String range = net.options().get(NetworkManager.IPAM_RANGE);
        InetAddress first = null;
        InetAddress last = null;
        int dash = range == null ? -1 : range.indexOf('-');
        if (dash >= 0) {
            first = dash == 0 ? null : IpAddresses.parse(NetworkManager.IPAM_RANGE, range.substring(0, dash));
            last = dash == range.length() - 1 ? null : IpAddresses.parse(NetworkManager.IPAM_RANGE, range.substring(dash + 1));
        }
        String dir = net.options().getOrDefault(NetworkManager.IPAM_DIR, stateDir.resolve("ipam").toString());
        return new ExistingConf(type, net, new IpamConf(new IpamConf.Range(net.subnet(), first, last, net.gateway(), "name"), null, List.of(), dir));
    }

    @Override
    public JsonObject dns() {
        return new JsonObject();
    }

    /** Code 7 unless {@code existing} is still a network of this configuration's type. */
    @Override
    public void requireSame(NetworkConfig existing) {
        if (!existing.driver().equals(type)) {
            throw DriverConf.differs(existing.name(), "type", "driver " + existing.driver(), type);
        }
    }

    @Override
    public String identity() {
        return type + ":" + DriverConf.digest(network.name() + "\n" + type + "\nas created\n");
    }
}
