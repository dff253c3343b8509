package dev.patchbay.launcher;

import java.util.Locale;

/**
 * One key of the configuration file ({@link Settings}): its name in the file, the environment variable that overrides
 * it, its default, whether a running daemon applies a new value on SIGHUP ({@code live}) or only after a restart, and
 * the framework property bundles read it through ({@code BundleContext.getProperty}; null: the launcher's alone).
 */
enum Setting {
    STATE_DIR("state-dir", "PATCHBAY_STATE_DIR", "/var/lib/patchbay", false, null, Kind.PATH,
            "State: networks, attachments, the journal, IPAM's reservations."),
    RUN_DIR("run-dir", "PATCHBAY_RUN_DIR", "/run/patchbay", false, "patchbay.run.dir", Kind.PATH,
            "Sockets and locks of the daemons (patchbay.socket listens in /run/patchbay: keep it under systemd)."),
    CACHE_DIR("cache-dir", "PATCHBAY_CACHE_DIR", "/var/cache/patchbay", false, null, Kind.PATH,
            "Class data sharing archives and the framework template of one-shot runs (read by bin/patchbay)."),
    BUNDLES_DIR("bundles-dir", "PATCHBAY_BUNDLES_DIR", "", false, null, Kind.PATH_OR_EMPTY,
            "The bundles folder (empty: the distribution's bundles/)."),
    HOT_DEPLOY("hot-deploy", "PATCHBAY_HOT_DEPLOY", "on", false, null, Kind.ON_OFF,
            "Whether the daemon watches the bundles folder and installs, updates and removes plugins as jars come and go."),
    FIREWALL("firewall", "PATCHBAY_FW", "auto", true, "patchbay.firewall", Kind.BACKEND,
            "Firewall backend of a namespace's first rules: auto (the best usable), nftables, iptables, none."),
    PLUGIN_TIMEOUT("plugin-timeout", "PATCHBAY_PLUGIN_TIMEOUT", "30", true, "patchbay.plugin.timeout", Kind.seconds(1, 3600),
            "Deadline of one call into a network plugin, in seconds (1 to 3600)."),
    REPAIR_SECONDS("repair-seconds", "PATCHBAY_REPAIR_SECONDS", "2", true, "patchbay.repair.seconds", Kind.seconds(1, 99999),
            "Seconds between the daemon's checks that every owner's firewall rules are in place (1 to 99999)."),
    LOG_LEVEL("log-level", "PATCHBAY_LOG_LEVEL", "info", true, null, Kind.LEVEL,
            "The daemon's log: info (every request), warning or error."),
    CNI_LOG("cni-log", "PATCHBAY_CNI_LOG", "", true, "patchbay.cni.log", Kind.PATH_OR_EMPTY,
            "A file each CNI call appends one line to (empty: none); a call's own PATCHBAY_CNI_LOG wins."),
    DAEMON_IDLE("daemon-idle", "PATCHBAY_DAEMON_IDLE", "300", false, null, Kind.seconds(0, 999999),
            "Seconds a daemon that started itself stays with nobody to serve (0: never leaves)."),
    DAEMON_AUTOSTART("daemon-autostart", "PATCHBAY_DAEMON_AUTOSTART", "on", true, null, Kind.ON_OFF,
            "Whether a command that finds no daemon starts one (the CNI executables read PATCHBAY_DAEMON_AUTOSTART only)."),
    METRICS("metrics", "PATCHBAY_METRICS", "off", false, null, Kind.METRICS,
            "The daemon's metrics endpoint: off, unix:/PATH or 127.0.0.1:PORT."),
    DEFAULT_ADDRESS_POOLS("default-address-pools", "PATCHBAY_DEFAULT_ADDRESS_POOLS", "base=10.89.0.0/16,size=24 base=10.90.0.0/15,size=24",
            true, "patchbay.default.address.pools", Kind.POOLS,
            "Where network create without --subnet takes its subnet: pools base=CIDR,size=LENGTH separated by spaces, in order.");

    final String key;
    final String env;
    final String fallback;
    final boolean live;
    final String property;
    final Kind kind;
    final String doc;

    Setting(String key, String env, String fallback, boolean live, String property, Kind kind, String doc) {
        this.key = key;
        this.env = env;
        this.fallback = fallback;
        this.live = live;
        this.property = property;
        this.kind = kind;
        this.doc = doc;
    }

    static Setting byKey(String key) {
        for (Setting s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The known key an unknown one was likely meant to be: one at most two edits away, else one that contains it or is
     * contained in it, else the key of an environment variable given as a key; or null.
     */
    static String suggest(String unknown) {
        String u = unknown.toLowerCase(Locale.ROOT).replace('_', '-');
        String best = null;
        int bestDistance = 3;
        for (Setting s : values()) {
            int d = distance(u, s.key);
            if (d < bestDistance) {
                best = s.key;
                bestDistance = d;
            }
        }
        for (Setting s : values()) {
            if (best == null && (unknown.equals(s.env) || u.length() >= 4 && (s.key.contains(u) || u.contains(s.key)))) {
                best = s.key;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** What a value must be; {@link #check} returns why a value is not one, or null. */
    record Kind(String name, long min, long max) {
        static final Kind PATH = new Kind("path", 0, 0);
        static final Kind PATH_OR_EMPTY = new Kind("path-or-empty", 0, 0);
        static final Kind ON_OFF = new Kind("on-off", 0, 0);
        static final Kind BACKEND = new Kind("backend", 0, 0);
        static final Kind LEVEL = new Kind("level", 0, 0);
        static final Kind METRICS = new Kind("metrics", 0, 0);
        static final Kind POOLS = new Kind("pools", 0, 0);

        static Kind seconds(long min, long max) {
            return new Kind("seconds", min, max);
        }

        String check(String v) {
            switch (name) {
                case "path":
                    return v.startsWith("/") && !v.contains("\0") ? null : "must be an absolute path";
                case "path-or-empty":
                    return v.isEmpty() || v.startsWith("/") && !v.contains("\0") ? null : "must be an absolute path, or empty";
                case "on-off":
                    return v.equals("on") || v.equals("off") ? null : "must be on or off";
                case "backend":
                    return v.matches("[a-z][a-z0-9-]{0,31}") ? null : "must be auto or a backend's name (nftables, iptables, none)";
                case "level":
                    return v.equals("info") || v.equals("warning") || v.equals("error") ? null : "must be info, warning or error";
                case "metrics":
                    return metrics(v);
                case "pools": // the form; the orchestrator checks the prefixes and sizes
                    return v.matches("base=[0-9a-fA-F:.]+/[0-9]{1,3},size=[0-9]{1,3}( +base=[0-9a-fA-F:.]+/[0-9]{1,3},size=[0-9]{1,3})*") ? null
                            : "must be pools base=CIDR,size=LENGTH separated by spaces";
                default:
                    if (v.matches("[0-9]{1,7}") && Long.parseLong(v) >= min && Long.parseLong(v) <= max) {
                        return null;
                    }
                    return "must be a whole number of seconds from " + min + " to " + max;
            }
        }

        /** {@link MetricsEndpoint} says what a value must be: one definition for the file, the environment and the daemon. */
        private static String metrics(String v) {
            return MetricsEndpoint.problem(v);
        }
    }
}
