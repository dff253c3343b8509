package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import static dev.patchbay.netlink.wire.Rtnetlink.*;

import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.spi.QdiscOps;
import dev.patchbay.netlink.wire.NlAttrs;
import dev.patchbay.netlink.wire.NlMessage;
import dev.patchbay.netlink.wire.TbfQopt;
import dev.patchbay.netlink.wire.TcMsg;
import dev.patchbay.sys.Errno;
import java.util.List;
import java.util.Optional;

/** Root queueing disciplines over rtnetlink: RTM_NEWQDISC / DELQDISC / GETQDISC, a token bucket (tbf) for a rate limit. */
final class NetlinkQdiscOps implements QdiscOps {
    private final NetnsRef netns;
    private final NetlinkSocket socket;
    private final NetlinkLinkOps links;

    NetlinkQdiscOps(NetnsRef netns, NetlinkSocket socket, NetlinkLinkOps links) {
        this.netns = netns;
        this.socket = socket;
        this.links = links;
    }

    @Override
    public void setRoot(LinkRef link, Qdisc.TokenBucket bucket) {
        int index = links.resolve(link);
        try {
            socket.execute((e, seq) -> Requests.tbf(e, seq, index, bucket));
        } catch (NetlinkError e) {
            throw Errors.map(e, "set", "root qdisc of link", link, netns);
        }
    }

    @Override
    public Optional<Qdisc> root(LinkRef link) {
        int index = links.resolve(link);
        try {
            List<Qdisc> roots = socket.dump(RTM_GETQDISC, TcMsg.root(index), m -> decodeRoot(m, index));
            return roots.stream().findFirst();
        } catch (NetlinkError e) {
            throw Errors.map(e, "list", "qdiscs of link", link, netns);
        }
    }

    @Override
    public boolean deleteRoot(LinkRef link) {
        int index = links.resolve(link);
        try {
            socket.execute((e, seq) -> Requests.delRootQdisc(e, seq, index));
            return true;
        } catch (NetlinkError e) {
            if (e.errno() == Errno.ENOENT) { // "Cannot delete qdisc with handle of zero": the kernel's default
                return false;
            }
            throw Errors.map(e, "delete", "root qdisc of link", link, netns);
        }
    }

    @Override
    public void redirectIngress(LinkRef link, LinkRef target) {
        int index = links.resolve(link);
        int to = links.resolve(target);
        try {
            deleteIngress(index);
            socket.execute((e, seq) -> IngressRedirects.qdisc(e, seq, index));
            socket.execute((e, seq) -> IngressRedirects.filter(e, seq, index, to));
        } catch (NetlinkError e) {
            throw Errors.map(e, "redirect", "ingress of link", link + " to " + target, netns);
        }
    }

    @Override
    public Optional<LinkRef> ingressRedirect(LinkRef link) {
        int index = links.resolve(link);
        List<Integer> targets;
        try {
            targets = socket.dump(RTM_GETTFILTER, new TcMsg(AF_UNSPEC, index, 0, TC_H_INGRESS_HANDLE, 0), m -> IngressRedirects.target(m, index));
        } catch (NetlinkError e) {
            if (e.errno() == Errno.EINVAL || e.errno() == Errno.ENOENT) { // no ingress qdisc to list the filters of
                return Optional.empty();
            }
            throw Errors.map(e, "list", "ingress filters of link", link, netns);
        }
        return targets.stream().filter(t -> t > 0).findFirst().flatMap(t -> links.find(LinkRef.index(t))).map(l -> LinkRef.name(l.name()));
    }

    @Override
    public boolean deleteIngress(LinkRef link) {
        int index = links.resolve(link);
        try {
            return deleteIngress(index);
        } catch (NetlinkError e) {
            throw Errors.map(e, "delete", "ingress qdisc of link", link, netns);
        }
    }

    private boolean deleteIngress(int index) {
        try {
            socket.execute((e, seq) -> IngressRedirects.deleteQdisc(e, seq, index));
            return true;
        } catch (NetlinkError e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.EINVAL) { // "Cannot find specified qdisc on specified device"
                return false;
            }
            throw e;
        }
    }

    /** Link {@code index}'s root qdisc of someone's (handle not 0) from one dumped message, else null. */
    static Qdisc decodeRoot(NlMessage m, int index) {
        if (m.type() != RTM_NEWQDISC) {
            return null;
        }
        TcMsg t = TcMsg.read(m.buf(), m.payload());
        if (t.ifindex() != index || t.parent() != TC_H_ROOT || t.handle() == 0) {
            return null;
        }
        NlAttrs a = m.attrs(TcMsg.SIZE);
        String kind = a.string(TCA_KIND);
        if (!"tbf".equals(kind)) {
            return new Qdisc(kind, null);
        }
        NlAttrs o = a.nested(TCA_OPTIONS);
        TbfQopt q = TbfQopt.read(o.slice(TCA_TBF_PARMS));
        if (q == null) {
            return new Qdisc(kind, null);
        }
        long rate = o.u64(TCA_TBF_RATE64) != null ? o.u64(TCA_TBF_RATE64) : Integer.toUnsignedLong(q.rate());
        return new Qdisc(kind, new Qdisc.TokenBucket(rate, burst(rate, q.buffer()), q.limit()));
    }

    /** The burst in bytes the kernel's buffer (ticks of 64 ns at {@code rate}) holds, rounded: {@code tc} shows the same. */
    static int burst(long rate, int bufferTicks) {
        double bytes = Integer.toUnsignedLong(bufferTicks) * (double) TbfQopt.TICK_NS * rate / 1e9;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(bytes)));
    }
}
