package dev.patchbay.dns;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The dns plugin's options and the names an attachment answers to. Pure. */
final class Names {
    /** Network option: false turns the network's DNS server off (network create: on; a CNI network: off). */
    static final String DNS = "dns";
    /** Network option: the domain its names live in. */
    static final String DOMAIN = "dns.domain";
    /** Attach option: more names of the container, joined by ','. */
    static final String ALIAS = "alias";
    static final String DEFAULT_DOMAIN = "patchbay.internal";

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private Names() {
    }

    /** Whether {@code s} (any case) is one DNS label: letters, digits and inner '-', 1-63 characters. */
    static boolean label(String s) {
        return s != null && LABEL.matcher(s.toLowerCase(Locale.ROOT)).matches();
    }

    /** The network's domain, checked: labels joined by '.', at most 253 characters, lowercase. */
    static String domain(NetworkConfig config) {
        String d = config.option(DOMAIN).orElse(DEFAULT_DOMAIN).toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.isEmpty() || d.length() > 253 || !java.util.Arrays.stream(d.split("\\.", -1)).allMatch(Names::label)) {
            throw new InvalidInputException(DOMAIN, config.option(DOMAIN).orElse(null),
                    "must be a domain name: labels of letters, digits and '-' joined by '.'");
        }
        return d;
    }

    /**
     * Whether the network serves DNS: its {@value #DNS} option. {@code network create} writes it true unless told false (the
     * plugin's create default); a network without it (a CNI configuration's, as with the reference bridge plugin) serves none.
     */
    static boolean enabled(NetworkConfig config) {
        return config.flag(DNS, false);
    }

    /** The aliases of an attach option value, lowercase, each checked. */
    static List<String> aliases(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (String a : value.split(",", -1)) {
            if (!label(a.strip())) {
                throw new InvalidInputException(ALIAS, value, "must be names joined by ',', each 1-63 letters, digits or inner '-'");
            }
            out.add(a.strip().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    /** What an attachment answers to: its container id and its namespace's name (when each is a DNS label), and its aliases. */
    static Set<String> of(Attachment a) {
        Set<String> out = new LinkedHashSet<>();
        if (label(a.containerId())) {
            out.add(a.containerId().toLowerCase(Locale.ROOT));
        }
        String ns = namespace(a);
        if (label(ns)) {
            out.add(ns.toLowerCase(Locale.ROOT));
        }
        try {
            out.addAll(aliases(a.options().get(ALIAS)));
        } catch (InvalidInputException e) {
            // a record is served as far as it can be
        }
        return out;
    }

    /** The name of the attachment's namespace when it is a named one (/run/netns/NAME), else null. */
    static String namespace(Attachment a) {
        if (a.netnsPath() == null) {
            return null;
        }
        Path p = Path.of(a.netnsPath());
        return NetnsRef.RUN_DIR.equals(p.getParent()) ? p.getFileName().toString() : null;
    }

    /** The addresses of the attachment, as addresses. */
    static List<InetAddress> addresses(Attachment a) {
        return a.addresses().stream().map(IpPrefix::address).toList();
    }

    /** The network's gateway addresses (where its server listens): IPv4 first; empty without one. */
    static List<InetAddress> gateways(NetworkConfig config) {
        List<InetAddress> out = new ArrayList<>();
        if (config.gateway() != null) {
            out.add(config.gateway());
        }
        if (config.subnet6() != null && config.gateway6() != null) {
            out.add(config.gateway6());
        }
        return out;
    }
}
