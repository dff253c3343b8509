package dev.patchbay.netlink;

import static dev.patchbay.netlink.wire.Rtnetlink.*;

import dev.patchbay.netlink.wire.NlAttrs;
import dev.patchbay.netlink.wire.NlEncoder;
import dev.patchbay.netlink.wire.NlMessage;
import dev.patchbay.netlink.wire.TcMsg;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The requests of a link's ingress redirect: the ingress qdisc ({@code tc qdisc add dev LINK ingress}) and on it one u32
 * filter matching all (one key of mask 0) whose action, mirred, sends each packet out by another link ({@code tc filter add
 * dev LINK parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev TARGET}); and the reading of
 * a dumped filter back. Layouts from linux/pkt_sched.h, pkt_cls.h and tc_act/tc_mirred.h.
 */
final class IngressRedirects {
    /** The filter's priority, as the reference bandwidth plugin's. */
    static final int PRIO = 1;
    /** {@code struct tc_u32_sel} with one {@code struct tc_u32_key}: 16 + 16 bytes. */
    static final int SEL_SIZE = 32;
    /** {@code struct tc_mirred}: tc_gen (index, capab, action, refcnt, bindcnt), eaction, ifindex. */
    static final int MIRRED_SIZE = 28;

    private IngressRedirects() {
    }

    /** tcm_info of a filter: its priority above, its protocol (network order, as a u16 in memory) below. */
    static int info(int prio, int protocol) {
        int proto = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Short.toUnsignedInt(Short.reverseBytes((short) protocol)) : protocol;
        return prio << 16 | proto;
    }

    /** RTM_NEWQDISC of link {@code index}'s ingress qdisc (handle ffff:, parent ffff:fff1), replacing one there. */
    static void qdisc(NlEncoder e, int seq, int index) {
        e.begin(RTM_NEWQDISC, Requests.REPLACE, seq, 0)
                .struct(new TcMsg(AF_UNSPEC, index, TC_H_INGRESS_HANDLE, TC_H_INGRESS, 0)).string(TCA_KIND, "ingress").end();
    }

    /** RTM_DELQDISC of link {@code index}'s ingress qdisc, its filters with it. */
    static void deleteQdisc(NlEncoder e, int seq, int index) {
        e.begin(RTM_DELQDISC, Requests.CHANGE, seq, 0).struct(new TcMsg(AF_UNSPEC, index, TC_H_INGRESS_HANDLE, TC_H_INGRESS, 0)).end();
    }

    /** RTM_NEWTFILTER: on link {@code index}'s ingress, all of every protocol redirected out by link {@code target}. */
    static void filter(NlEncoder e, int seq, int index, int target) {
        e.begin(RTM_NEWTFILTER, Requests.CREATE, seq, 0)
                .struct(new TcMsg(AF_UNSPEC, index, 0, TC_H_INGRESS_HANDLE, info(PRIO, ETH_P_ALL))).string(TCA_KIND, "u32");
        int options = e.nest(TCA_OPTIONS);
        ByteBuffer sel = ByteBuffer.allocate(SEL_SIZE).order(ByteOrder.nativeOrder());
        sel.put((byte) TC_U32_TERMINAL).put((byte) 0).put((byte) 1); // flags, offshift, nkeys; the rest and the key: 0
        e.attr(TCA_U32_SEL, sel.array());
        int actions = e.nest(TCA_U32_ACT);
        int first = e.nest(1); // the first action, by its order
        e.string(TCA_ACT_KIND, "mirred");
        int mirred = e.nest(TCA_ACT_OPTIONS);
        ByteBuffer parms = ByteBuffer.allocate(MIRRED_SIZE).order(ByteOrder.nativeOrder());
        parms.putInt(0).putInt(0).putInt(TC_ACT_STOLEN).putInt(0).putInt(0).putInt(TCA_EGRESS_REDIR).putInt(target);
        e.attr(TCA_MIRRED_PARMS, parms.array());
        e.endNest(mirred).endNest(first).endNest(actions).endNest(options);
        e.end();
    }

    /** The link index a dumped filter of link {@code index}'s ingress redirects to by a mirred action, else null. */
    static Integer target(NlMessage m, int index) {
        if (m.type() != RTM_NEWTFILTER) {
            return null;
        }
        TcMsg t = TcMsg.read(m.buf(), m.payload());
        NlAttrs a = m.attrs(TcMsg.SIZE);
        if (t.ifindex() != index || t.parent() != TC_H_INGRESS_HANDLE || !"u32".equals(a.string(TCA_KIND))) {
            return null;
        }
        NlAttrs actions = a.nested(TCA_OPTIONS).nested(TCA_U32_ACT);
        for (int order = 1; order < 32 && actions.has(order); order++) {
            NlAttrs act = actions.nested(order);
            ByteBuffer parms = act.nested(TCA_ACT_OPTIONS).slice(TCA_MIRRED_PARMS);
            if ("mirred".equals(act.string(TCA_ACT_KIND)) && parms != null && parms.remaining() >= MIRRED_SIZE
                    && parms.getInt(20) == TCA_EGRESS_REDIR) {
                return parms.getInt(24);
            }
        }
        return null;
    }
}
