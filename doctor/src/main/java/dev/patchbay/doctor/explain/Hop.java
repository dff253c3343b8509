package dev.patchbay.doctor.explain;

/**
 * One hop of a path as {@code patchbay explain} walks it: the step (interface, route, bridge, forwarding, firewall,
 * nat, ...), ok / broken / warn / skip, in words, and for a firewall verdict the rule's table, chain and text as the
 * kernel's packet trace named them (null otherwise).
 */
public record Hop(String step, String status, String detail, String table, String chain, String rule) {
    public static final String OK = "ok";
    public static final String BROKEN = "broken";
    public static final String WARN = "warn";
    public static final String SKIP = "skip";

    public static Hop ok(String step, String detail) {
        return new Hop(step, OK, detail, null, null, null);
    }

    public static Hop broken(String step, String detail) {
        return new Hop(step, BROKEN, detail, null, null, null);
    }

    public boolean isBroken() {
        return status.equals(BROKEN);
    }
}
