package dev.patchbay.netlink;

import static dev.patchbay.netlink.wire.Rtnetlink.*;

import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkChange;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.model.PolicyRule;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.model.Scope;
import dev.patchbay.netlink.wire.FibRuleHdr;
import dev.patchbay.netlink.wire.IfAddrMsg;
import dev.patchbay.netlink.wire.IfInfoMsg;
import dev.patchbay.netlink.wire.NdMsg;
import dev.patchbay.netlink.wire.NlEncoder;
import dev.patchbay.netlink.wire.RtMsg;
import dev.patchbay.netlink.wire.TbfQopt;
import dev.patchbay.netlink.wire.TcMsg;
import java.net.InetAddress;

/**
 * Turns the model into rtnetlink requests: one complete message each, with NLM_F_REQUEST|NLM_F_ACK.
 * Pure (no socket, no FFI), so the golden tests check exactly what goes to the kernel. Attribute
 * order follows iproute2's, so its captured requests compare byte for byte.
 */
final class Requests {
    static final int CREATE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE;
    static final int REPLACE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE | NLM_F_CREATE;
    static final int CHANGE = NLM_F_REQUEST | NLM_F_ACK;

    private Requests() {
    }

    static int family(Family f) {
        return f == null ? AF_UNSPEC : f == Family.INET ? AF_INET : AF_INET6;
    }

    /** RTM_NEWLINK creating {@code spec}; {@code peerNsFd} (or -1) places a veth peer in another namespace. */
    static void newLink(NlEncoder e, int seq, LinkSpec spec, int peerNsFd) {
        newLink(e, seq, spec, peerNsFd, 0);
    }

    /** Like {@link #newLink(NlEncoder, int, LinkSpec, int)} with extra header flags, e.g. NLM_F_ECHO to get the link back. */
    static void newLink(NlEncoder e, int seq, LinkSpec spec, int peerNsFd, int extraFlags) {
        if (spec instanceof LinkSpec.Other) {
            throw new IllegalArgumentException("a link of another kind may need a parent's index: use newOther");
        }
        e.begin(RTM_NEWLINK, CREATE | extraFlags, seq, 0).struct(IfInfoMsg.of(0)).string(IFLA_IFNAME, spec.name().value());
        Integer mtu = null;
        MacAddress mac = null;
        String kind;
        if (spec instanceof LinkSpec.Bridge b) {
            mtu = b.mtu();
            mac = b.mac();
            kind = "bridge";
        } else {
            LinkSpec.Veth v = (LinkSpec.Veth) spec;
            mtu = v.mtu();
            mac = v.mac();
            kind = "veth";
        }
        if (mtu != null) {
            e.u32(IFLA_MTU, mtu);
        }
        if (mac != null) {
            e.attr(IFLA_ADDRESS, mac.bytes());
        }
        int info = e.nest(IFLA_LINKINFO);
        e.stringNoNul(IFLA_INFO_KIND, kind);
        if (spec instanceof LinkSpec.Veth v) {
            int data = e.nest(IFLA_INFO_DATA);
            int peer = e.nest(VETH_INFO_PEER);
            e.struct(IfInfoMsg.of(0));
            if (peerNsFd >= 0) {
                e.u32(IFLA_NET_NS_FD, peerNsFd);
            }
            e.string(IFLA_IFNAME, v.peerName().value());
            if (v.mtu() != null) {
                e.u32(IFLA_MTU, v.mtu());
            }
            if (v.peerMac() != null) {
                e.attr(IFLA_ADDRESS, v.peerMac().bytes());
            }
            e.endNest(peer);
            e.endNest(data);
        }
        e.endNest(info);
        e.end();
    }

    /**
     * RTM_NEWLINK creating a link of another kind on the link {@code parentIndex} of the socket's namespace (0: none), in the
     * namespace {@code nsFd} refers to (or here when -1). Attribute order as iproute2's {@code ip link add link PARENT name
     * NAME netns NS type KIND ...}.
     */
    static void newOther(NlEncoder e, int seq, LinkSpec.Other spec, int parentIndex, int nsFd, int extraFlags) {
        newChild(e, seq, extraFlags, nsFd, parentIndex, spec.name().value(), spec.mtu(), spec.mac(), spec.kind(),
                spec.data().isEmpty() ? null : d -> spec.data().forEach(a -> attr(d, a)));
    }

    private static void newChild(NlEncoder e, int seq, int extraFlags, int nsFd, int parentIndex, String name, Integer mtu,
                                 MacAddress mac, String kind, java.util.function.Consumer<NlEncoder> data) {
        e.begin(RTM_NEWLINK, CREATE | extraFlags, seq, 0).struct(IfInfoMsg.of(0));
        if (nsFd >= 0) {
            e.u32(IFLA_NET_NS_FD, nsFd);
        }
        if (parentIndex > 0) {
            e.u32(IFLA_LINK, parentIndex);
        }
        e.string(IFLA_IFNAME, name);
        if (mtu != null) {
            e.u32(IFLA_MTU, mtu);
        }
        if (mac != null) {
            e.attr(IFLA_ADDRESS, mac.bytes());
        }
        int info = e.nest(IFLA_LINKINFO);
        e.stringNoNul(IFLA_INFO_KIND, kind);
        if (data != null) {
            int d = e.nest(IFLA_INFO_DATA);
            data.accept(e);
            e.endNest(d);
        }
        e.endNest(info);
        e.end();
    }

    /** One IFLA_INFO_DATA attribute as its {@link LinkSpec.Attr.As} says. */
    static void attr(NlEncoder e, LinkSpec.Attr a) {
        long n = a.value() instanceof Long l ? l : 0;
        switch (a.as()) {
            case U8 -> e.u8(a.type(), (int) n);
            case U16 -> e.u16(a.type(), (int) n);
            case BE16 -> e.attr(a.type(), new byte[] {(byte) (n >> 8), (byte) n});
            case U32 -> e.u32(a.type(), (int) n);
            case U64 -> e.u64(a.type(), n);
            case STRING -> e.string(a.type(), (String) a.value());
            case ADDRESS -> e.address(a.type(), (InetAddress) a.value());
            case FLAG -> e.attr(a.type(), new byte[0]);
            case BYTES -> e.attr(a.type(), (byte[]) a.value());
            default -> throw new IllegalArgumentException("attribute encoding " + a.as());
        }
    }

    /** Starts an RTM_NEWLINK that changes link {@code index} (or the one named {@code name} when index is 0). */
    static NlEncoder changeLink(NlEncoder e, int seq, int index, String name, int flags, int change) {
        e.begin(RTM_NEWLINK, CHANGE, seq, 0).struct(new IfInfoMsg(AF_UNSPEC, 0, index, flags, change));
        if (index == 0) {
            e.string(IFLA_IFNAME, name);
        }
        return e;
    }

    static void setUp(NlEncoder e, int seq, int index, String name, boolean up) {
        changeLink(e, seq, index, name, up ? IFF_UP : 0, IFF_UP).end();
    }

    /** RTM_NEWLINK setting the flags and the link group that {@code c} holds (null: left as is), in one request. */
    static void change(NlEncoder e, int seq, int index, String name, LinkChange c) {
        int flags = 0;
        int mask = 0;
        Boolean[] values = {c.up(), c.promisc(), c.allmulti()};
        int[] bits = {IFF_UP, IFF_PROMISC, IFF_ALLMULTI};
        for (int i = 0; i < bits.length; i++) {
            if (values[i] != null) {
                mask |= bits[i];
                flags |= values[i] ? bits[i] : 0;
            }
        }
        changeLink(e, seq, index, name, flags, mask);
        if (c.group() != null) {
            e.u32(IFLA_GROUP, c.group());
        }
        e.end();
    }

    /** RTM_DELLINK of every link in link group {@code group} (ifindex 0, no name: the kernel deletes by group). */
    static void delGroup(NlEncoder e, int seq, int group) {
        e.begin(RTM_DELLINK, CHANGE, seq, 0).struct(IfInfoMsg.of(0)).u32(IFLA_GROUP, group).end();
    }

    static void setMaster(NlEncoder e, int seq, int index, String name, int masterIndex) {
        changeLink(e, seq, index, name, 0, 0).u32(IFLA_MASTER, masterIndex).end();
    }

    static void setBridgePort(NlEncoder e, int seq, int index, String name, Boolean hairpin, Boolean isolated) {
        changeLink(e, seq, index, name, 0, 0);
        int info = e.nest(IFLA_LINKINFO);
        e.stringNoNul(IFLA_INFO_SLAVE_KIND, "bridge");
        int data = e.nest(IFLA_INFO_SLAVE_DATA);
        if (hairpin != null) {
            e.u8(IFLA_BRPORT_MODE, hairpin ? 1 : 0);
        }
        if (isolated != null) {
            e.u8(IFLA_BRPORT_ISOLATED, isolated ? 1 : 0);
        }
        e.endNest(data).endNest(info).end();
    }

    static void delLink(NlEncoder e, int seq, int index, String name) {
        e.begin(RTM_DELLINK, CHANGE, seq, 0).struct(IfInfoMsg.of(index));
        if (index == 0) {
            e.string(IFLA_IFNAME, name);
        }
        e.end();
    }

    static void getLink(NlEncoder e, int seq, int index, String name) {
        e.begin(RTM_GETLINK, NLM_F_REQUEST, seq, 0).struct(IfInfoMsg.of(index))
                .u32(IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
        if (index == 0) {
            e.string(IFLA_IFNAME, name);
        }
        e.end();
    }

    /** RTM_NEWADDR / RTM_DELADDR for {@code address} on link {@code index}, like {@code ip addr add}. */
    static void addr(NlEncoder e, int seq, int type, int flags, int index, IpPrefix address) {
        InetAddress a = address.address();
        int scope = a.isLoopbackAddress() ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
        e.begin(type, flags, seq, 0).struct(new IfAddrMsg(family(address.family()), address.length(), 0, scope, index))
                .address(IFA_LOCAL, a).address(IFA_ADDRESS, a).end();
    }

    /**
     * RTM_NEWROUTE / RTM_DELROUTE like {@code ip route add|del}: protocol boot, scope link for a
     * route without gateway, universe otherwise; a delete matches any scope and protocol.
     */
    static void route(NlEncoder e, int seq, int type, int flags, Route r, int oif) {
        boolean del = type == RTM_DELROUTE;
        int table = r.table() == null ? RT_TABLE_MAIN : r.table();
        int scope = r.scope() != null ? r.scope().value()
                : del ? RT_SCOPE_NOWHERE : r.gateway() == null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
        IpPrefix dst = r.destination();
        e.begin(type, flags, seq, 0).struct(new RtMsg(family(dst.family()), dst.length(), 0, 0, table < 256 ? table : RT_TABLE_UNSPEC,
                del ? RTPROT_UNSPEC : RTPROT_BOOT, scope, del ? RTN_UNSPEC : RTN_UNICAST, 0));
        if (dst.length() > 0) {
            e.address(RTA_DST, dst.address());
        }
        if (r.source() != null) {
            e.address(RTA_PREFSRC, r.source());
        }
        if (r.gateway() != null) {
            e.address(RTA_GATEWAY, r.gateway());
        }
        if (oif > 0) {
            e.u32(RTA_OIF, oif);
        }
        if (r.metric() != null) {
            e.u32(RTA_PRIORITY, r.metric());
        }
        if (table >= 256) {
            e.u32(RTA_TABLE, table);
        }
        e.end();
    }

    /** RTM_NEWRULE / RTM_DELRULE like {@code ip rule add|del ... table T prio N}. */
    static void rule(NlEncoder e, int seq, int type, int flags, PolicyRule r) {
        Family f = r.family() != null ? r.family() : r.to() != null ? r.to().family() : r.from() != null ? r.from().family() : Family.INET;
        e.begin(type, flags, seq, 0).struct(new FibRuleHdr(family(f), r.to() == null ? 0 : r.to().length(),
                r.from() == null ? 0 : r.from().length(), 0, r.table() < 256 ? r.table() : RT_TABLE_UNSPEC, FR_ACT_TO_TBL, 0));
        if (r.from() != null && r.from().length() > 0) {
            e.address(FRA_SRC, r.from().address());
        }
        if (r.to() != null && r.to().length() > 0) {
            e.address(FRA_DST, r.to().address());
        }
        if (r.iif() != null) {
            e.string(FRA_IIFNAME, r.iif().value());
        }
        if (r.priority() != null) {
            e.u32(FRA_PRIORITY, r.priority());
        }
        if (r.table() >= 256) {
            e.u32(FRA_TABLE, r.table());
        }
        e.end();
    }

    /** RTM_NEWNEIGH / RTM_DELNEIGH like {@code ip neigh add ADDR lladdr MAC dev DEV nud permanent}. */
    static void neigh(NlEncoder e, int seq, int type, int flags, int index, InetAddress address, MacAddress mac, boolean permanent) {
        e.begin(type, flags, seq, 0).struct(new NdMsg(family(Family.of(address)), index,
                type == RTM_DELNEIGH ? 0 : permanent ? NUD_PERMANENT : NUD_REACHABLE, 0, 0)).address(NDA_DST, address);
        if (mac != null) {
            e.attr(NDA_LLADDR, mac.bytes());
        }
        e.end();
    }

    /**
     * RTM_NEWNEIGH / RTM_DELNEIGH of an entry of device {@code index}'s own forwarding table, like {@code bridge fdb append
     * MAC dev DEV dst DST} (AF_BRIDGE, NTF_SELF, permanent; appended: NLM_F_CREATE|NLM_F_APPEND).
     */
    static void fdb(NlEncoder e, int seq, int type, int index, MacAddress mac, InetAddress dst) {
        int flags = type == RTM_NEWNEIGH ? NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND : CHANGE;
        e.begin(type, flags, seq, 0).struct(new NdMsg(AF_BRIDGE, index, NUD_PERMANENT, NTF_SELF, 0)).attr(NDA_LLADDR, mac.bytes())
                .address(NDA_DST, dst).end();
    }

    /**
     * RTM_NEWQDISC making {@code tb} the root qdisc of link {@code index}, replacing what is there (NLM_F_CREATE|REPLACE,
     * handle 0: {@code tc qdisc replace dev LINK root tbf ...}). The burst goes as bytes (TCA_TBF_BURST) and, for older
     * kernels, as time in the PARMS' buffer; a rate past 32 bits goes in TCA_TBF_RATE64.
     */
    static void tbf(NlEncoder e, int seq, int index, Qdisc.TokenBucket tb) {
        long ticks = Math.min(0xFFFFFFFFL, Math.round(tb.burst() * 1e9 / tb.rate() / TbfQopt.TICK_NS));
        e.begin(RTM_NEWQDISC, REPLACE, seq, 0).struct(TcMsg.root(index)).string(TCA_KIND, "tbf");
        int options = e.nest(TCA_OPTIONS);
        e.attr(TCA_TBF_PARMS, new TbfQopt((int) Math.min(tb.rate(), 0xFFFFFFFFL), tb.limit(), (int) ticks).bytes());
        if (tb.rate() >= 0xFFFFFFFFL) {
            e.u64(TCA_TBF_RATE64, tb.rate());
        }
        e.u32(TCA_TBF_BURST, tb.burst());
        e.endNest(options);
        e.end();
    }

    /** RTM_DELQDISC of link {@code index}'s root qdisc. */
    static void delRootQdisc(NlEncoder e, int seq, int index) {
        e.begin(RTM_DELQDISC, CHANGE, seq, 0).struct(TcMsg.root(index)).end();
    }

    static Scope scope(int value) {
        return Scope.of(value);
    }
}
