package dev.patchbay.cni;

import java.util.List;

/** The CNI spec versions served, and what differs between them in a result. */
final class Versions {
    static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

    private Versions() {
    }

    /** The configuration's {@code cniVersion}, if served; code 1 otherwise. */
    static String check(String version) {
        if (version == null || !SUPPORTED.contains(version)) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "incompatible CNI versions",
                    "config is \"" + (version == null ? "" : version) + "\", plugin supports " + SUPPORTED);
        }
        return version;
    }

    /** Whether {@code version} (served) is {@code min} or later. */
    static boolean atLeast(String version, String min) {
        return SUPPORTED.indexOf(version) >= SUPPORTED.indexOf(min);
    }

    /** Results before 1.0.0 carry the IP version ("4" or "6") in every {@code ips} entry. */
    static boolean ipsHaveVersion(String version) {
        return !atLeast(version, "1.0.0");
    }

    /** A verb the configuration's version does not have (CHECK before 0.4.0, GC and STATUS before 1.1.0): code 1. */
    static void requireFor(String verb, String version, String min) {
        if (!atLeast(version, min)) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "config version does not allow " + verb,
                    verb + " needs cniVersion " + min + " or later, the config is " + version);
        }
    }
}
