package dev.patchbay.cni;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.MacAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a call asks of the container's interface besides the network: static addresses and a MAC, from wherever a
 * runtime puts them: {@code CNI_ARGS} ({@code IP=a[,b]}, {@code MAC=}), {@code runtimeConfig} ({@code ips}, {@code mac}:
 * the {@code ips} and {@code mac} capabilities) and {@code args.cni} ({@code ips}, {@code mac}). Addresses may carry a
 * prefix length ({@code 10.0.0.7/24}), which is dropped: the subnet decides it. Other {@code CNI_ARGS} keys
 * ({@code IgnoreUnknown}, {@code K8S_POD_*}, anything) are ignored, as {@code args} may be. A MAC no interface can
 * have (all zero, broadcast, multicast) is code 7 naming where it came from and the MAC ({@code macField}).
 */
record AttachArgs(List<InetAddress> ips, MacAddress mac, String macField) {

    static AttachArgs of(CniCall call, Conf c) {
        List<InetAddress> ips = new ArrayList<>();
        MacAddress mac = null;
        String macField = null;
        Map<String, String> args = call.args();
        String ip = args.get("IP");
        if (ip != null && !ip.isEmpty()) {
            for (String one : ip.split(",")) {
                add(ips, one.strip(), "CNI_ARGS IP", CniError.INVALID_ENV);
            }
        }
        if (args.get("MAC") != null && !args.get("MAC").isEmpty()) {
            macField = "CNI_ARGS MAC";
            mac = mac(args.get("MAC"), macField, CniError.INVALID_ENV);
        }
        for (Conf where : new Conf[] {c.object("runtimeConfig"), cniArgs(c)}) {
            if (where == null) {
                continue;
            }
            List<String> more = where.strings("ips");
            for (int i = 0; i < more.size(); i++) {
                add(ips, more.get(i), where.field("ips") + "[" + i + "]", CniError.INVALID_CONFIG);
            }
            if (where.text("mac") != null) {
                macField = where.field("mac");
                mac = mac(where.text("mac"), macField, CniError.INVALID_CONFIG);
            }
        }
        final String field = macField;
        final MacAddress m = mac;
        dev.patchbay.orchestrator.network.Macs.unusable(mac).ifPresent(why -> {
            throw new CniError(CniError.INVALID_CONFIG, field + ": \"" + m + "\" " + why);
        });
        return new AttachArgs(List.copyOf(ips), mac, macField);
    }

    private static Conf cniArgs(Conf c) {
        Conf args = c.object("args");
        return args == null ? null : args.object("cni");
    }

    private static void add(List<InetAddress> ips, String text, String field, int code) {
        String address = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        try {
            InetAddress a = IpAddresses.parse(field, address);
            if (!ips.contains(a)) {
                ips.add(a);
            }
        } catch (InvalidInputException e) {
            throw new CniError(code, field + ": \"" + text + "\" is not an IP address");
        }
    }

    private static MacAddress mac(String text, String field, int code) {
        try {
            return MacAddress.parse(text);
        } catch (InvalidInputException e) {
            throw new CniError(code, field + ": \"" + text + "\" is not a MAC address (six hex pairs like 02:42:ac:11:00:02)");
        }
    }
}
