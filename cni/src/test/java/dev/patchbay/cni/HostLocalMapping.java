package dev.patchbay.cni;

import dev.patchbay.core.ipam.Allocation;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.Attachment;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.model.IfName;
import dev.patchbay.plugin.ipam.HostLocalIpam;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** For the protocol's tests: an IPAM (the fake's) that maps the CNI IPAM type host-local as plugins-ipam does. */
record HostLocalMapping(Ipam ipam) implements Ipam {
    private static final HostLocalIpam HOST_LOCAL = new HostLocalIpam();

    @Override
    public CniIpam cniIpam(Map<String, Object> conf) {
        return HOST_LOCAL.cniIpam(conf);
    }

    @Override
    public void validate(IpamConfig config) {
        ipam.validate(config);
    }

    @Override
    public Allocation allocate(AllocationRequest request) {
        return ipam.allocate(request);
    }

    @Override
    public List<InetAddress> release(Path dataDir, String network, String ownerId, IfName ifName) {
        return ipam.release(dataDir, network, ownerId, ifName);
    }

    @Override
    public GcResult gc(Path dataDir, String network, Set<Attachment> valid, Predicate<InetAddress> live) {
        return ipam.gc(dataDir, network, valid, live);
    }

    @Override
    public List<AllocationRecord> list(Path dataDir, String network) {
        return ipam.list(dataDir, network);
    }

    @Override
    public List<String> networks(Path dataDir) {
        return ipam.networks(dataDir);
    }
}
