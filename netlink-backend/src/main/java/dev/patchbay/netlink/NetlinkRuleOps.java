package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import static dev.patchbay.netlink.wire.Rtnetlink.*;

import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PolicyRule;
import dev.patchbay.core.spi.RuleOps;
import dev.patchbay.netlink.wire.FibRuleHdr;
import dev.patchbay.netlink.wire.NlAttrs;
import java.util.List;

/** Routing policy rules over rtnetlink: RTM_NEWRULE / DELRULE / GETRULE. */
final class NetlinkRuleOps implements RuleOps {
    private final NetnsRef netns;
    private final NetlinkSocket socket;

    NetlinkRuleOps(NetnsRef netns, NetlinkSocket socket) {
        this.netns = netns;
        this.socket = socket;
    }

    static String describe(PolicyRule r) {
        return (r.priority() == null ? "" : r.priority() + ": ") + "from " + (r.from() == null ? "all" : r.from())
                + (r.to() == null ? "" : " to " + r.to()) + (r.iif() == null ? "" : " iif " + r.iif())
                + " lookup " + (r.table() == RT_TABLE_MAIN ? "main" : String.valueOf(r.table()));
    }

    @Override
    public void add(PolicyRule rule) {
        send("add", RTM_NEWRULE, Requests.CREATE, rule);
    }

    @Override
    public void delete(PolicyRule rule) {
        send("delete", RTM_DELRULE, Requests.CHANGE, rule);
    }

    private void send(String verb, int type, int flags, PolicyRule rule) {
        try {
            socket.execute((e, seq) -> Requests.rule(e, seq, type, flags, rule));
        } catch (NetlinkError e) {
            throw Errors.map(e, verb, "rule", describe(rule), netns);
        }
    }

    @Override
    public List<PolicyRule> list(Family family) {
        try {
            return socket.dump(RTM_GETRULE, new FibRuleHdr(Requests.family(family), 0, 0, 0, 0, 0, 0), m -> {
                FibRuleHdr h = m.fibRule();
                if (h.family() != AF_INET && h.family() != AF_INET6) {
                    return null;
                }
                NlAttrs a = m.attrs(FibRuleHdr.SIZE);
                Family f = h.family() == AF_INET ? Family.INET : Family.INET6;
                IpPrefix from = a.has(FRA_SRC) ? IpPrefix.of(a.address(FRA_SRC), h.srcLen()) : null;
                IpPrefix to = a.has(FRA_DST) ? IpPrefix.of(a.address(FRA_DST), h.dstLen()) : null;
                String iif = a.string(FRA_IIFNAME);
                int table = a.u32(FRA_TABLE) != null ? a.u32(FRA_TABLE) : h.table();
                return new PolicyRule(f, a.u32(FRA_PRIORITY) == null ? 0 : a.u32(FRA_PRIORITY), from, to, iif == null ? null : new IfName(iif), table);
            });
        } catch (NetlinkError e) {
            throw Errors.map(e, "list", "rules", "*", netns);
        }
    }
}
