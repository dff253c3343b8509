package dev.patchbay.cni;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.spi.NetnsHandle;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A container's side of a result, read back from its namespace: the interface and its MAC, addresses, routes. */
final class ContainerCheck {
    private ContainerCheck() {
    }

    /** Adds to {@code missing} what of {@code result} the container's namespace does not have. */
    static void against(CniContext ctx, Path netns, IfName ifName, JsonObject result, List<String> missing) {
        if (!Files.exists(netns)) {
            missing.add("namespace " + netns + " is gone");
            return;
        }
        try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(netns))) {
            Optional<Link> link = ctr.links().find(LinkRef.name(ifName));
            if (link.isEmpty()) {
                missing.add("interface " + ifName + " is not in " + netns);
                return;
            }
            int index = -1;
            var ifs = GoKeys.array(result, "interfaces");
            for (int i = 0; ifs != null && i < ifs.size(); i++) {
                JsonObject o = ifs.get(i).getAsJsonObject();
                if (ifName.value().equals(NetworkChecks.text(o, "name")) && NetworkChecks.text(o, "sandbox") != null) {
                    index = i;
                    String mac = NetworkChecks.text(o, "mac");
                    if (mac != null && !mac.equalsIgnoreCase(link.get().mac() == null ? "" : link.get().mac().value())) {
                        missing.add("interface " + ifName + " has MAC " + link.get().mac() + ", the result says " + mac);
                    }
                }
            }
            if (!link.get().up()) {
                missing.add("interface " + ifName + " is down");
            }
            List<IpPrefix> has = ctr.addresses().list(LinkRef.name(ifName), null);
            for (JsonElement e : GoKeys.array(result, "ips")) {
                JsonObject ip = e.getAsJsonObject();
                JsonElement at = GoKeys.member(ip, "interface");
                if (at != null && at.isJsonPrimitive() && at.getAsInt() != index) {
                    continue; // another interface's
                }
                IpPrefix want = prefix(NetworkChecks.text(ip, "address"));
                if (want != null && !has.contains(want)) {
                    missing.add("address " + want + " is not on " + ifName);
                }
            }
            for (JsonElement e : GoKeys.array(result, "routes")) {
                JsonObject r = e.getAsJsonObject();
                IpPrefix dst = prefix(NetworkChecks.text(r, "dst"));
                InetAddress gw = NetworkChecks.text(r, "gw") == null ? null : IpAddresses.parse("gw", NetworkChecks.text(r, "gw"));
                if (dst != null && !hasRoute(ctr.routes().list(dst.family(), null), dst.network(), gw)) {
                    missing.add("route to " + dst + (gw == null ? "" : " via " + IpAddresses.format(gw)) + " is not in " + netns);
                }
            }
        }
    }

    /** Whether {@code result} names {@code ifName} as an interface in a sandbox. */
    static boolean names(JsonObject result, IfName ifName) {
        JsonElement ifs = GoKeys.member(result, "interfaces");
        if (ifs == null || !ifs.isJsonArray()) {
            return false;
        }
        for (JsonElement e : ifs.getAsJsonArray()) {
            if (e.isJsonObject() && ifName.value().equals(NetworkChecks.text(e.getAsJsonObject(), "name"))
                    && NetworkChecks.text(e.getAsJsonObject(), "sandbox") != null) {
                return true;
            }
        }
        return false;
    }

    /** Adds to {@code missing} each recorded address the container's interface does not have (and no more). */
    static void addresses(CniContext ctx, Path netns, IfName ifName, List<IpPrefix> recorded, List<String> missing) {
        if (!Files.exists(netns)) {
            return; // said already
        }
        try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(netns))) {
            if (ctr.links().find(LinkRef.name(ifName)).isEmpty()) {
                return;
            }
            List<IpPrefix> has = ctr.addresses().list(LinkRef.name(ifName), null);
            for (IpPrefix want : recorded) {
                String line = "address " + want + " is not on " + ifName;
                if (!has.contains(want) && !missing.contains(line)) {
                    missing.add(line + " (Patchbay's record of the attachment has it)");
                }
            }
        }
    }

    private static boolean hasRoute(List<Route> routes, IpPrefix dst, InetAddress gw) {
        for (Route r : routes) {
            if (r.destination().network().equals(dst) && (gw == null || gw.equals(r.gateway()))) {
                return true;
            }
        }
        return false;
    }

    private static IpPrefix prefix(String text) {
        try {
            return text == null ? null : IpPrefix.parse("address", text);
        } catch (InvalidInputException e) {
            throw CniError.config("prevResult", text, "is not an address with a prefix length");
        }
    }
}
