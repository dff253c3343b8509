package dev.patchbay.cni;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.firewall.host.FirewallHost;
import dev.patchbay.orchestrator.network.Attachments;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What CHECK, GC and STATUS of a configuration that is a network ({@link CniDriver}) share of the protocol. */
final class NetworkChecks {
    private NetworkChecks() {
    }

    /** What of the network's own parts an attachment lacks, added to {@code missing} (the chain's checks). */
    interface Own {
        void check(CniContext ctx, NetworkConfig net, Attachment a, List<String> missing);
    }

    /**
     * The kernel against the record and {@code prevResult}: the type's {@code own} parts, the container's interface, up,
     * with the addresses Patchbay recorded; the MAC, addresses and routes the result names. Code 7 for a
     * {@code prevResult} that names no interface CNI_IFNAME in a sandbox (it is not this attachment's result); 3 for a
     * container the network does not know (or the CLI attached); 101 naming everything that is missing.
     */
    static String check(CniCall call, CniContext ctx, NetworkConf conf, Own own) {
        call.require("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH");
        String id = call.containerId();
        IfName ifName = call.ifName();
        JsonObject prev = Results.prevResult(Conf.root(call.config()));
        if (prev == null) {
            throw CniError.config("prevResult", null, "is required for CHECK");
        }
        NetworkConfig net = ctx.networks().find(conf.network().name())
                .orElseThrow(() -> new CniError(CniError.UNKNOWN_CONTAINER, "network \"" + conf.network().name() + "\" does not exist"));
        conf.requireSame(net);
        if (!ContainerCheck.names(prev, ifName)) {
            throw CniError.config("prevResult.interfaces", null, "names no interface " + ifName + " in a sandbox: not the result of this"
                    + " attachment's ADD");
        }
        Attachment a = ctx.attachments().findCni(net.name(), id, ifName)
                .orElseThrow(() -> new CniError(CniError.UNKNOWN_CONTAINER, "\"" + id + "\" is not attached to network \"" + net.name() + "\" as " + ifName));
        List<String> missing = new ArrayList<>();
        own.check(ctx, net, a, missing);
        ContainerCheck.against(ctx, Path.of(call.netns()), ifName, prev, missing);
        ContainerCheck.addresses(ctx, Path.of(call.netns()), ifName, a.addresses(), missing);
        if (!missing.isEmpty()) {
            throw new CniError(CniError.PATCHBAY + 1, "CHECK of \"" + id + "\" on network \"" + net.name() + "\" failed: " + String.join("; ", missing));
        }
        return "";
    }

    /**
     * Releases every attachment a CNI ADD made on the network (never one the CLI made) outside
     * {@code cni.dev/valid-attachments} (libcni also sends it as
     * {@code cni.dev/attachments}), the rules no attachment owns, and reservations by the IPAM's evidence rules. With
     * no such list, nothing is released (when in doubt, keep). A network Patchbay does not know has nothing to release.
     */
    static String gc(CniCall call, CniContext ctx, NetworkConf conf) {
        call.require("CNI_PATH");
        Conf c = Conf.root(call.config());
        String key = c.has("cni.dev/valid-attachments") ? "cni.dev/valid-attachments" : c.has("cni.dev/attachments") ? "cni.dev/attachments" : null;
        if (key == null) {
            ctx.note("GC without cni.dev/valid-attachments: nothing released");
            return "";
        }
        Set<dev.patchbay.core.ipam.Attachment> valid = new HashSet<>();
        for (Conf v : c.objects(key)) {
            String id = v.text("containerID");
            String ifname = v.text("ifname");
            if (id == null || ifname == null) {
                throw CniError.config(v.field(id == null ? "containerID" : "ifname"), null, "is required");
            }
            try {
                valid.add(new dev.patchbay.core.ipam.Attachment(id, IfName.of(ifname)));
            } catch (InvalidInputException e) {
                throw CniError.config(v.field("containerID") + "/ifname", id + "/" + ifname, "is not a container id and interface name");
            }
        }
        String name = conf.network().name();
        Optional<NetworkConfig> net = ctx.networks().find(name);
        if (net.isEmpty()) {
            return "";
        }
        conf.requireSame(net.get()); // a configuration that only shares the name releases nothing
        Attachments.GcReport r = ctx.attachments().gc(ctx.hostRef(), name, valid);
        r.detached().forEach(x -> ctx.note("GC: detached " + x));
        r.rules().forEach(x -> ctx.note("GC: removed the rules of " + x));
        r.freed().forEach(x -> ctx.note("GC: released " + x));
        r.kept().forEach(x -> ctx.note("GC: kept " + x));
        return "";
    }

    /** Code 50 unless the firewall backend is usable here: every network's rules go through it. */
    static void requireFirewall(CniContext ctx) {
        FirewallHost fw = ctx.firewall().host(ctx.stateDir(), ctx.hostRef());
        String backend = fw.backend();
        if (fw.backends().stream().noneMatch(b -> b.name().equals(backend) && b.usable())) {
            throw new CniError(CniError.NOT_AVAILABLE, "the firewall backend \"" + backend + "\" is not usable here", "see patchbay firewall backend");
        }
    }

    /** Code 50 when a range of the network has no free address left. */
    static void requireFree(CniContext ctx, NetworkConf conf, NetworkConfig net) {
        List<AllocationRecord> reserved = ctx.ipam().list(Path.of(conf.ipam().dataDir()), net.name());
        for (IpamConf.Range r : conf.ipam().v6() == null ? List.of(conf.ipam().v4()) : List.of(conf.ipam().v4(), conf.ipam().v6())) {
            if (free(r, reserved).signum() <= 0) {
                throw new CniError(CniError.NOT_AVAILABLE, "no free address left in " + r.subnet()
                        + (r.option() == null ? "" : " (" + r.option() + ")") + " of network \"" + net.name() + "\"");
            }
        }
    }

    /** How many addresses of the range are neither the gateway nor reserved. */
    static BigInteger free(IpamConf.Range r, List<AllocationRecord> reserved) {
        BigInteger first = r.start() != null ? number(r.start()) : number(r.subnet().network().address()).add(BigInteger.ONE);
        BigInteger last = r.end() != null ? number(r.end()) : number(r.subnet().last()).subtract(r.subnet().isV4() ? BigInteger.ONE : BigInteger.ZERO);
        BigInteger free = last.subtract(first).add(BigInteger.ONE);
        BigInteger gw = number(r.gateway());
        if (gw.compareTo(first) >= 0 && gw.compareTo(last) <= 0) {
            free = free.subtract(BigInteger.ONE);
        }
        Set<InetAddress> seen = new HashSet<>();
        for (AllocationRecord rec : reserved) {
            BigInteger n = number(rec.address());
            if (r.subnet().contains(rec.address()) && !n.equals(gw) && n.compareTo(first) >= 0 && n.compareTo(last) <= 0 && seen.add(rec.address())) {
                free = free.subtract(BigInteger.ONE);
            }
        }
        return free;
    }

    private static BigInteger number(InetAddress a) {
        return IpAddresses.toBigInteger(a);
    }

    /** The value of a result member as text, or null. */
    static String text(JsonObject o, String key) {
        JsonElement e = GoKeys.member(o, key);
        return e == null || !e.isJsonPrimitive() ? null : e.getAsString();
    }
}
