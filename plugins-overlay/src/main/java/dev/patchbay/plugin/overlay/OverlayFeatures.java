package dev.patchbay.plugin.overlay;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.orchestrator.network.NetworkFeatures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * An overlay network's node as {@code network inspect} and {@code topology} show it: its lease (subnet, TTL left) and every
 * peer (node, subnet, underlay address, VTEP MAC), read from etcd; when etcd cannot be reached, what this process's keeper
 * last knew, said so.
 */
@Component
public final class OverlayFeatures implements NetworkFeatures {
    @Reference(target = "(" + NetworkPlugin.TYPE + "=" + OverlayDriver.TYPE + ")")
    NetworkPlugin driver;

    @Override
    public List<Feature> of(Shown shown) {
        if (!OverlayDriver.TYPE.equals(shown.config().driver())) {
            return List.of();
        }
        OverlayOptions o = OverlayOptions.of(shown.config());
        Optional<Keeper> keeper = driver instanceof OverlayDriver d ? d.keeper(o.network()) : Optional.empty();
        Peer me;
        long ttl;
        List<Peer> peers;
        String note = "";
        try {
            OverlayStore store = OverlayDriver.store(o);
            me = store.node(o.node()).orElse(null);
            ttl = me == null ? 0 : store.etcd().timeToLive(me.lease());
            peers = PeerRoutes.others(store.nodesAt().peers(), o.node());
        } catch (PatchbayException e) {
            me = keeper.map(Keeper::me).orElse(null);
            ttl = keeper.map(Keeper::ttlLeft).orElse(0L);
            peers = keeper.map(Keeper::peers).orElse(List.of());
            note = " (etcd unreachable: as last known here)";
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("node", o.node());
        data.put("subnet", o.nodeSubnet() == null ? null : o.nodeSubnet().toString());
        data.put("lease", me == null ? null : Long.toHexString(me.lease()));
        data.put("ttl", ttl);
        data.put("kept", keeper.isPresent());
        data.put("underlay", me == null ? null : IpAddresses.format(me.underlay()));
        data.put("vtepMac", me == null ? null : me.vtepMac().value());
        List<Map<String, Object>> list = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (Peer p : peers) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("node", p.node());
            one.put("subnet", p.subnet().toString());
            one.put("underlay", IpAddresses.format(p.underlay()));
            one.put("vtepMac", p.vtepMac().value());
            list.add(one);
            lines.add("peer " + p.node() + " " + p.subnet() + " at " + IpAddresses.format(p.underlay()) + " (VTEP " + p.vtepMac().value() + ")");
        }
        data.put("peers", list);
        String title = "overlay node " + o.node() + " " + o.nodeSubnet() + (me == null ? ", no lease" : ", lease " + Long.toHexString(me.lease())
                + " (" + ttl + " s left)") + ", " + peers.size() + (peers.size() == 1 ? " peer" : " peers") + note;
        return List.of(new Feature("overlay", title, lines, data));
    }
}
