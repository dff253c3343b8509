package dev.patchbay.firewall.nftables;

import static dev.patchbay.firewall.nftables.nfnl.NfType.INET_PROTO;
import static dev.patchbay.firewall.nftables.nfnl.NfType.INET_SERVICE;
import static dev.patchbay.firewall.nftables.nfnl.NfType.IPV4_ADDR;
import static dev.patchbay.firewall.nftables.nfnl.NfType.IPV6_ADDR;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.sys.Errno;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.NotPermittedException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.firewall.nftables.nfnl.Generation;
import dev.patchbay.firewall.nftables.nfnl.NfAnswer;
import dev.patchbay.firewall.nftables.nfnl.NfType;
import dev.patchbay.firewall.nftables.nfnl.SetElemBatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Changes the forward maps' elements with nf_tables netlink batches of Patchbay's own encoding,
 * bypassing libnftables' parser (which costs ~8 µs per element). One call is one kernel transaction.
 */
final class NftDirect implements AutoCloseable {
    /** Key and data types of each forward map; {@link NftRenderer#skeleton()} declares the same. */
    record Layout(List<NfType> key, List<NfType> data) {
        String spell() {
            return NfType.spell(key) + " : " + NfType.spell(data);
        }
    }

    static final Map<String, Layout> LAYOUTS = Map.of(
            "fwd4", new Layout(List.of(INET_PROTO, INET_SERVICE), List.of(IPV4_ADDR, INET_SERVICE)),
            "fwd4ip", new Layout(List.of(IPV4_ADDR, INET_PROTO, INET_SERVICE), List.of(IPV4_ADDR, INET_SERVICE)),
            "fwd6", new Layout(List.of(INET_PROTO, INET_SERVICE), List.of(IPV6_ADDR, INET_SERVICE)),
            "fwd6ip", new Layout(List.of(IPV6_ADDR, INET_PROTO, INET_SERVICE), List.of(IPV6_ADDR, INET_SERVICE)));

    private static final Map<Integer, String> ERRNO = Map.of(1, "EPERM", 2, "ENOENT", 12, "ENOMEM", 16, "EBUSY", 17, "EEXIST",
            22, "EINVAL", 28, "ENOSPC", 34, "ERANGE", 90, "EMSGSIZE", 95, "EOPNOTSUPP");

    private final NfnlChannel channel;
    private int seq = (int) (System.nanoTime() & 0x3fffffff);
    /** Batches the kernel committed. */
    private long commits;

    NftDirect(NfnlChannel channel) {
        this.channel = channel;
    }

    /** The element operations: every deletion, then every addition, in order. */
    static List<SetElemBatch.Op> ops(Collection<NftRenderer.Element> delete, Collection<NftRenderer.Element> add) {
        List<SetElemBatch.Op> ops = new ArrayList<>(delete.size() + add.size());
        for (NftRenderer.Element e : delete) {
            ops.add(SetElemBatch.Op.delete(e.map(), key(e), e.key()));
        }
        for (NftRenderer.Element e : add) {
            Layout l = layout(e.map());
            ops.add(SetElemBatch.Op.add(e.map(), key(e), NfType.encode(l.data(), "value of " + e.map() + " element", e.value()), e.owner(), e.key()));
        }
        return ops;
    }

    private static byte[] key(NftRenderer.Element e) {
        return NfType.encode(layout(e.map()).key(), "key of " + e.map() + " element", e.key());
    }

    private static Layout layout(String map) {
        Layout l = LAYOUTS.get(map);
        if (l == null) {
            throw new IllegalArgumentException("no layout for map \"" + map + "\"");
        }
        return l;
    }

    /**
     * Encodes "delete {@code delete}, then add {@code add}" as one transaction, to {@link #send} later
     * (values that do not fit a map are refused here, before anything is sent); null if both are empty.
     */
    synchronized SetElemBatch prepare(Collection<NftRenderer.Element> delete, Collection<NftRenderer.Element> add) {
        if (delete.isEmpty() && add.isEmpty()) {
            return null;
        }
        SetElemBatch batch = SetElemBatch.encode(NftRenderer.TABLE, ops(delete, add), next());
        seq = batch.lastSeq() + 1; // the barrier's
        return batch;
    }

    /** Sends a prepared batch (null: nothing) and waits for the kernel's verdict: all of it happened, or none. */
    synchronized void send(SetElemBatch batch) {
        if (batch == null) {
            return;
        }
        int barrier = batch.lastSeq() + 1;
        channel.send(batch.bytes());
        channel.send(SetElemBatch.barrier(barrier));
        NfAnswer failure = null;
        while (true) {
            for (NfAnswer a : NfAnswer.parse(channel.receive())) {
                if (!a.isError()) {
                    continue; // NEWGEN, the barrier's answer
                }
                if (a.seq() == barrier) { // everything sent before it is answered by now
                    failure = failure == null && a.errno() != 0 ? a : failure;
                    if (failure != null) {
                        throw map(batch, failure);
                    }
                    commits++;
                    return;
                }
                if (failure == null && a.errno() != 0 && a.seq() >= batch.firstSeq() && a.seq() <= batch.lastSeq()) {
                    failure = a; // the first the kernel reports; the transaction is aborted as a whole
                }
            }
        }
    }

    synchronized long commits() {
        return commits;
    }

    /** The namespace's nf_tables generation, read now (one round trip). */
    synchronized long generation() {
        int s = next();
        channel.send(Generation.request(s));
        while (true) {
            java.nio.ByteBuffer d = channel.receive();
            long id = Generation.id(d, s);
            if (id >= 0) {
                return id;
            }
            for (NfAnswer a : NfAnswer.parse(d)) {
                if (a.isError() && a.seq() == s && a.errno() != 0) {
                    throw new BackendException("failed to read the nf_tables generation: " + ERRNO.getOrDefault(a.errno(), "errno " + a.errno()));
                }
            }
        }
    }

    /**
     * The rules of {@code owner} in inet table {@link NftRenderer#TABLE} (those whose comment is its name), read now over
     * netlink: one dump of the table's rules, whatever its maps hold.
     */
    synchronized java.util.Map<String, List<NftState.RuleRef>> rulesOf(String owner) {
        int s = next();
        channel.send(dev.patchbay.firewall.nftables.nfnl.RuleDump.request(s, NftRenderer.TABLE));
        List<dev.patchbay.firewall.nftables.nfnl.RuleDump.Rule> all = new ArrayList<>();
        try {
            while (dev.patchbay.firewall.nftables.nfnl.RuleDump.read(channel.receive(), s, all) != dev.patchbay.firewall.nftables.nfnl.RuleDump.Progress.DONE) {
                // the dump goes on in the next datagram
            }
        } catch (dev.patchbay.firewall.nftables.nfnl.RuleDump.NfError e) {
            throw new BackendException("failed to read the rules of table " + NftRenderer.T + ": " + ERRNO.getOrDefault(e.errno(), "errno " + e.errno()));
        }
        List<NftState.RuleRef> refs = new ArrayList<>();
        all.stream().filter(r -> owner.equals(r.comment())).forEach(r -> refs.add(new NftState.RuleRef(r.chain(), r.handle())));
        return refs.isEmpty() ? java.util.Map.of() : java.util.Map.of(owner, refs);
    }

    private int next() {
        seq = (seq + 1) & 0x3fffffff;
        return seq == 0 ? ++seq : seq;
    }

    private static PatchbayException map(SetElemBatch batch, NfAnswer a) {
        String errno = ERRNO.getOrDefault(a.errno(), "errno " + a.errno()) + (a.message() == null ? "" : ": " + a.message());
        List<SetElemBatch.Op> inMessage = batch.opsOf(a.seq());
        if (inMessage.isEmpty()) {
            String what = "failed to commit the element changes to table " + NftRenderer.T + ": " + errno;
            return a.errno() == Errno.EPERM ? new NotPermittedException(what + " (CAP_NET_ADMIN is needed)", null) : new BackendException(what);
        }
        SetElemBatch.Op op = batch.blamed(a.seq(), a.offset());
        SetElemBatch.Op any = inMessage.get(0);
        boolean adds = any.data() != null;
        String map = "map " + any.set() + " of table " + NftRenderer.T;
        String elements = op != null ? "element \"" + op.label() + "\"" : inMessage.size() == 1 ? "element \"" + any.label() + "\""
                : inMessage.size() + " elements (\"" + any.label() + "\", ...)";
        String what = "failed to " + (adds ? "add " + elements + " to " : "delete " + elements + " from ") + map + ": " + errno;
        switch (a.errno()) {
            case Errno.EBUSY: // same key, other data
            case Errno.EEXIST:
                return new AlreadyExistsException(what + " (the key is taken by an element Patchbay did not know of)");
            case Errno.ENOENT:
                return new NotFoundException(op == null && inMessage.size() > 1 ? what + " (no such map, or one of the elements is gone)" : what);
            case Errno.EPERM:
                return new NotPermittedException(what + " (CAP_NET_ADMIN is needed)", null);
            default:
                return new BackendException(what);
        }
    }

    @Override
    public synchronized void close() {
        channel.close();
    }
}
