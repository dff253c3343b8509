package dev.patchbay.plugin.overlay;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.orchestrator.network.NetworkDiagnosis;
import dev.patchbay.orchestrator.network.NetworkFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code patchbay doctor NETWORK} for an overlay network: the kernel's routes, neighbours and forwarding entries on the
 * VXLAN device compared with etcd read now (not with what this process's keeper last saw): each peer in etcd the kernel
 * lacks an entry of, each entry of a node that holds no lease, this node's own lease, and whether a keeper runs here.
 * {@code patchbay gc} repairs what it names: the keeper reads etcd again and programs the kernel from it.
 */
@Component
public final class OverlayDoctor implements NetworkDiagnosis {
    @Reference(target = "(" + NetworkPlugin.TYPE + "=" + OverlayDriver.TYPE + ")")
    NetworkPlugin driver;

    @Override
    public List<Finding> diagnose(NetworkFeatures.Shown shown) {
        if (!OverlayDriver.TYPE.equals(shown.config().driver()) || !(driver instanceof OverlayDriver d)) {
            return List.of();
        }
        OverlayOptions o = OverlayOptions.of(shown.config());
        List<Finding> out = new ArrayList<>();
        Optional<Keeper> keeper = d.keeper(o.network());
        out.add(keeper.isPresent() ? new Finding("lease kept", "ok", "this process renews node \"" + o.node() + "\"'s lease and watches etcd")
                : new Finding("lease kept", "fail", "no process here keeps node \"" + o.node() + "\"'s lease (run the daemon; patchbay gc starts it)"));
        OverlayStore.Nodes nodes;
        OverlayStore store = OverlayDriver.store(o);
        try {
            nodes = store.nodesAt();
        } catch (PatchbayException e) {
            out.add(new Finding("etcd", "fail", e.getMessage() + ": the kernel cannot be compared with the store"));
            return out;
        }
        Optional<Peer> me = nodes.peers().stream().filter(p -> p.node().equals(o.node())).findFirst();
        out.add(me.isPresent() && me.get().subnet().equals(o.nodeSubnet())
                ? new Finding("lease", "ok", "node \"" + o.node() + "\" holds " + o.nodeSubnet() + " in etcd (" + store.etcd().describe() + ")")
                : new Finding("lease", "fail", "node \"" + o.node() + "\" holds " + me.map(p -> p.subnet().toString()).orElse("no subnet")
                        + " in etcd, not " + o.nodeSubnet() + " (patchbay gc takes it again if it is free)"));
        List<Peer> peers = PeerRoutes.others(nodes.peers(), o.node());
        IfName vx = OverlayDriver.vxlan(o.network());
        try (NetnsHandle host = d.stack.open(shown.host())) {
            List<String> missing = PeerRoutes.missing(host, vx, peers);
            List<String> stale = PeerRoutes.stale(host, vx, peers);
            for (String m : missing) {
                out.add(new Finding("peers", "fail", m + ": in etcd, missing in the kernel (patchbay gc puts it back)"));
            }
            for (String s : stale) {
                out.add(new Finding("peers", "fail", s + ": in the kernel, not in etcd (patchbay gc removes it)"));
            }
            if (missing.isEmpty() && stale.isEmpty()) {
                out.add(new Finding("peers", "ok", peers.size() + (peers.size() == 1 ? " peer" : " peers")
                        + " in etcd, each with its route, neighbour and forwarding entry on " + vx + "; nothing else there"));
            }
        }
        return out;
    }
}
