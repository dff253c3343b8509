package dev.patchbay.testing;

import dev.patchbay.core.model.ListeningSocket;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.spi.NetworkStack;
import java.net.InetSocketAddress;

/** {@link FakeNetworkStack} keeps the contract the kernel keeps (netlink-backend's NetworkStackContractIT). */
class FakeNetworkStackContractTest extends NetworkStackContract {
    private final FakeNetworkStack fake = new FakeNetworkStack().playSubnetRoutes();
    private long inodes = 1000;

    @Override
    protected NetworkStack stack() {
        return fake;
    }

    @Override
    protected NetnsRef.Named netns(String role) {
        return fake.namespaces().create(role);
    }

    @Override
    protected String unusedName(String role) {
        return role;
    }

    @Override
    protected AutoCloseable listen(NetnsRef netns, Protocol protocol, InetSocketAddress at) {
        return fake.netns(netns).listen(new ListeningSocket(protocol, at.getAddress(), at.getPort(), ++inodes));
    }

    @Override
    protected Qdisc.TokenBucket tbf(NetnsRef netns, String link) {
        return fake.netns(netns).qdisc(link).map(Qdisc::tokenBucket).orElse(null);
    }

    @Override
    protected String ingressRedirect(NetnsRef netns, String link) {
        return fake.netns(netns).ingressRedirect(link).filter(t -> !t.equals(link)).orElse(null);
    }

    /** From the attributes the fake kept, decoded as the kernel would read them. */
    @Override
    protected Vxlan vxlan(NetnsRef netns, String link) {
        java.util.Map<Integer, Object> a = new java.util.HashMap<>();
        fake.netns(netns).infoData(link).forEach(x -> a.put(x.type(), x.value()));
        return new Vxlan((Long) a.get(IFLA_VXLAN_ID), ((Long) a.getOrDefault(IFLA_VXLAN_PORT, 8472L)).intValue(),
                (java.net.InetAddress) a.get(IFLA_VXLAN_LOCAL), !Long.valueOf(0).equals(a.get(IFLA_VXLAN_LEARNING)));
    }

    @Override
    protected Flags flags(NetnsRef netns, String link) {
        FakeNetworkStack.Netns ns = fake.netns(netns);
        return new Flags(ns.promisc(link), ns.allmulti(link), ns.group(link));
    }
}
