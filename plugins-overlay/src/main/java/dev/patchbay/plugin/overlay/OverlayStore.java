package dev.patchbay.plugin.overlay;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.plugin.overlay.etcd.EtcdClient;
import dev.patchbay.plugin.overlay.etcd.EtcdJson;
import dev.patchbay.plugin.overlay.etcd.KeyValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An overlay network in etcd, under {@code /patchbay/overlay/NAME/}: {@code definition} (what every node must agree on,
 * no lease), {@code subnets/A.B.C.D-LEN} (the node holding it) and {@code nodes/NODE} (its subnet, underlay address and
 * VTEP MAC), both under the node's lease: a subnet is taken by a transaction that fails when either key exists, so two
 * nodes never hold the same one, and a node's keys go when its lease ends.
 */
final class OverlayStore {
    private final EtcdClient etcd;
    private final String root;

    OverlayStore(EtcdClient etcd, String network) {
        this.etcd = etcd;
        this.root = "/patchbay/overlay/" + network + "/";
    }

    EtcdClient etcd() {
        return etcd;
    }

    String nodesPrefix() {
        return root + "nodes/";
    }

    private String subnetKey(IpPrefix s) {
        return root + "subnets/" + s.toString().replace('/', '-');
    }

    /** Writes the network's definition if it has none; refuses one that differs from {@code o}'s. */
    void define(OverlayOptions o) {
        String mine = new Gson().toJson(o.definition());
        if (etcd.create(root + "definition", mine, 0)) {
            return;
        }
        String stored = etcd.get(root + "definition").map(KeyValue::value).orElse(mine);
        o.agreeWith(new Gson().fromJson(stored, new TypeToken<Map<String, String>>() { }.getType()));
    }

    Optional<Peer> node(String node) {
        return etcd.get(nodesPrefix() + node).map(kv -> Peer.parse(node, kv.value(), kv.lease()));
    }

    /** Every node's record and the revision they were read at. */
    Nodes nodesAt() {
        EtcdClient.Range r = etcd.range(nodesPrefix());
        List<Peer> out = new ArrayList<>();
        for (KeyValue kv : r.kvs()) {
            out.add(Peer.parse(kv.key().substring(nodesPrefix().length()), kv.value(), kv.lease()));
        }
        return new Nodes(r.revision(), out);
    }

    record Nodes(long revision, List<Peer> peers) {
    }

    /** Takes {@code s} again for {@code o.node()} under a new lease (its old one ended); fails if another node took it meanwhile. */
    long retake(OverlayOptions o, IpPrefix s) {
        long lease = etcd.grant(o.leaseTtl());
        if (!take(o, s, lease)) {
            etcd.revoke(lease);
            throw new AlreadyExistsException("subnet " + s + " of network \"" + o.network() + "\" is held by node \"" + holder(s)
                    + "\" in etcd now: node \"" + o.node() + "\" lost it while its lease was not renewed");
        }
        return lease;
    }

    /**
     * Leases a subnet for {@code o.node()} under a new lease: {@code o.nodeSubnet()} when set, else the first free one.
     * Each try is a transaction that takes the subnet's key and the node's together, or neither.
     */
    Lease claim(OverlayOptions o) {
        long lease = etcd.grant(o.leaseTtl());
        try {
            Optional<Peer> had = node(o.node());
            if (had.isPresent() && had.get().underlay().isLoopbackAddress()) {
                etcd.revoke(had.get().lease()); // this node's claim of a create that went no further
            } else if (had.isPresent()) {
                throw new AlreadyExistsException("node \"" + o.node() + "\" already holds a subnet of network \"" + o.network()
                        + "\" in etcd (" + etcd.describe() + "): another node has that name (--opt node=NAME), or its lease has not"
                        + " ended yet");
            }
            if (o.nodeSubnet() != null) {
                IpPrefix s = o.nodeSubnet();
                if (!take(o, s, lease)) {
                    throw new AlreadyExistsException("subnet " + s + " of network \"" + o.network() + "\" is held by node \""
                            + holder(s) + "\" in etcd (" + etcd.describe() + ")");
                }
                return new Lease(lease, s);
            }
            Set<String> taken = new HashSet<>();
            etcd.range(root + "subnets/").kvs().forEach(kv -> taken.add(kv.key()));
            for (long i = 0; i < o.count(); i++) {
                IpPrefix s = o.nth(i);
                if (!taken.contains(subnetKey(s)) && take(o, s, lease)) {
                    return new Lease(lease, s);
                }
            }
            throw new InvalidInputException("subnet", o.cluster(), "has no free /" + o.nodePrefix() + " left for node \"" + o.node()
                    + "\": every one is leased in etcd");
        } catch (RuntimeException e) {
            etcd.revoke(lease);
            throw e;
        }
    }

    record Lease(long id, IpPrefix subnet) {
    }

    /**
     * A dry run's {@link #define} and {@link #claim}: the definition checked against the one in etcd, if any, and the subnet
     * a claim would take now (a later claim may find it taken); nothing written.
     */
    IpPrefix wouldClaim(OverlayOptions o) {
        etcd.get(root + "definition").ifPresent(kv -> o.agreeWith(new Gson().fromJson(kv.value(), new TypeToken<Map<String, String>>() { }.getType())));
        if (node(o.node()).filter(p -> !p.underlay().isLoopbackAddress()).isPresent()) {
            throw new AlreadyExistsException("node \"" + o.node() + "\" already holds a subnet of network \"" + o.network()
                    + "\" in etcd (" + etcd.describe() + "): another node has that name (--opt node=NAME), or its lease has not ended yet");
        }
        Set<String> taken = new HashSet<>();
        etcd.range(root + "subnets/").kvs().forEach(kv -> taken.add(kv.key()));
        if (o.nodeSubnet() != null) {
            if (taken.contains(subnetKey(o.nodeSubnet()))) {
                throw new AlreadyExistsException("subnet " + o.nodeSubnet() + " of network \"" + o.network() + "\" is held by node \""
                        + holder(o.nodeSubnet()) + "\" in etcd (" + etcd.describe() + ")");
            }
            return o.nodeSubnet();
        }
        for (long i = 0; i < o.count(); i++) {
            if (!taken.contains(subnetKey(o.nth(i)))) {
                return o.nth(i);
            }
        }
        throw new InvalidInputException("subnet", o.cluster(), "has no free /" + o.nodePrefix() + " left for node \"" + o.node()
                + "\": every one is leased in etcd");
    }

    private boolean take(OverlayOptions o, IpPrefix s, long lease) {
        String node = nodesPrefix() + o.node();
        String placeholder = new Peer(o.node(), s, java.net.InetAddress.getLoopbackAddress(), new dev.patchbay.core.model.MacAddress("02:00:00:00:00:00"), 0).json();
        return EtcdJson.succeeded(etcd.txn(List.of(EtcdJson.compare(subnetKey(s), "CREATE", "EQUAL", 0), EtcdJson.compare(node, "CREATE", "EQUAL", 0)),
                List.of(EtcdJson.op("request_put", EtcdJson.put(subnetKey(s), o.node(), lease)),
                        EtcdJson.op("request_put", EtcdJson.put(node, placeholder, lease))), List.of()));
    }

    private String holder(IpPrefix s) {
        return etcd.get(subnetKey(s)).map(KeyValue::value).orElse("?");
    }

    /** Publishes this node's record under its lease (its underlay address and VTEP MAC known once the devices exist). */
    void publish(Peer me, long lease) {
        etcd.put(nodesPrefix() + me.node(), me.json(), lease);
    }

    /** Gives up {@code node}'s lease (its keys go with it); the last node to leave takes the definition with it. */
    void release(String node) {
        Optional<KeyValue> kv = etcd.get(nodesPrefix() + node);
        if (kv.isPresent() && kv.get().lease() != 0) {
            etcd.revoke(kv.get().lease());
        }
        etcd.delete(nodesPrefix() + node, false);
        if (etcd.range(nodesPrefix()).kvs().isEmpty() && etcd.range(root + "subnets/").kvs().isEmpty()) {
            etcd.delete(root, true);
        }
    }
}
