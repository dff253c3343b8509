package dev.patchbay.doctor.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines of {@code nft monitor trace} for one probe packet, as hops: each rule that accepts, drops or rewrites it
 * and each chain whose policy decides, naming the table and chain; the packet leaving or delivered as the probe's own
 * late chains saw it. Pure: {@link Trace} runs the kernel's side.
 */
final class TraceEvents {
    /** One trace line: the chain's family, table and name, and what happened there. */
    record Event(String family, String table, String chain, String kind, String text, String verdict) {
        String where() {
            return "table " + family + " " + table + ", chain " + chain;
        }

        boolean ours() {
            return table.equals(Trace.TABLE);
        }
    }

    private static final Pattern LINE = Pattern.compile("^trace id \\S+ (\\S+) (\\S+) (\\S+) (packet: .*|rule .*|verdict .*|policy .*)$");
    private static final Pattern RULE = Pattern.compile("^rule (.*?)\\s*\\(verdict ([^)]*)\\)$");
    private static final Pattern NAT = Pattern.compile("\\b(dnat|snat|masquerade|redirect)\\b|-j (DNAT|SNAT|MASQUERADE|REDIRECT)");

    private TraceEvents() {
    }

    static List<Event> parse(List<String> lines) {
        List<Event> out = new ArrayList<>();
        for (String raw : lines) {
            Matcher m = LINE.matcher(raw.strip());
            if (!m.matches()) {
                continue;
            }
            String rest = m.group(4);
            if (rest.startsWith("packet: ")) {
                out.add(new Event(m.group(1), m.group(2), m.group(3), "packet", rest.substring(8), null));
            } else if (rest.startsWith("rule ")) {
                Matcher r = RULE.matcher(rest);
                out.add(r.matches() ? new Event(m.group(1), m.group(2), m.group(3), "rule", r.group(1).replaceAll("\\s+", " "), r.group(2))
                        : new Event(m.group(1), m.group(2), m.group(3), "rule", rest.substring(5), "continue"));
            } else {
                String[] kv = rest.split("\\s+", 2);
                out.add(new Event(m.group(1), m.group(2), m.group(3), kv[0], "", kv.length > 1 ? kv[1].strip() : ""));
            }
        }
        return out;
    }

    /** The first packet's events: up to a drop or the probe's late chain (post, in), else up to the next probe. */
    static List<Event> firstPacket(List<Event> events) {
        List<Event> out = new ArrayList<>();
        int starts = 0;
        for (Event e : events) {
            if (e.ours() && e.kind().equals("packet") && (e.chain().equals("pre") || e.chain().equals("out")) && ++starts > 1) {
                break;
            }
            out.add(e);
            if (terminal(e)) {
                break;
            }
        }
        return out;
    }

    /** A drop, or the probe's packet seen by the late chains of {@value Trace#TABLE}: nothing after it matters. */
    static boolean terminal(Event e) {
        return dropped(e) || e.ours() && e.kind().equals("packet") && (e.chain().equals("post") || e.chain().equals("in"));
    }

    private static boolean dropped(Event e) {
        return e.verdict() != null && e.verdict().startsWith("drop");
    }

    /** The hops of one packet's events; the last is broken when it was dropped or vanished without a verdict. */
    static List<Hop> hops(List<Event> packet) {
        List<Hop> out = new ArrayList<>();
        boolean decided = false;
        for (Event e : packet) {
            if (e.ours()) {
                if (e.kind().equals("packet") && e.chain().equals("post")) {
                    out.add(Hop.ok("leaves", "out of " + field(e.text(), "oif") + " from " + source(e.text())));
                    decided = true;
                } else if (e.kind().equals("packet") && e.chain().equals("in")) {
                    out.add(Hop.ok("delivered", "to the host on " + field(e.text(), "iif")));
                    decided = true;
                }
                continue;
            }
            if (e.kind().equals("rule") && dropped(e)) {
                out.add(new Hop("firewall", Hop.BROKEN, "dropped by rule \"" + e.text() + "\" in " + e.where(), e.family() + " " + e.table(), e.chain(), e.text()));
                return out;
            }
            if (e.kind().equals("rule") && NAT.matcher(e.text()).find()) {
                out.add(new Hop("nat", Hop.OK, "rewritten by rule \"" + e.text() + "\" in " + e.where(), e.family() + " " + e.table(), e.chain(), e.text()));
            } else if (e.kind().equals("rule") && e.verdict().startsWith("accept")) {
                out.add(new Hop("firewall", Hop.OK, "accepted by rule \"" + e.text() + "\" in " + e.where(), e.family() + " " + e.table(), e.chain(), e.text()));
            } else if (e.kind().equals("policy")) {
                String detail = "the policy of " + e.where() + " (no rule of it decided)";
                if (e.verdict().startsWith("drop")) {
                    out.add(new Hop("firewall", Hop.BROKEN, "dropped by " + detail, e.family() + " " + e.table(), e.chain(), "policy drop"));
                    return out;
                }
                out.add(new Hop("firewall", Hop.OK, "accepted by " + detail, e.family() + " " + e.table(), e.chain(), "policy " + e.verdict()));
            }
        }
        if (!decided) {
            String last = packet.stream().filter(e -> !e.ours()).reduce((a, b) -> b).map(e -> " after " + e.where()).orElse("");
            out.add(Hop.broken("firewall", "the packet vanished" + last + " with no rule dropping it: no route in the host,"
                    + " reverse-path filtering (rp_filter), or a firewall the trace does not see (iptables-legacy)"));
        }
        return out;
    }

    private static String field(String packet, String name) {
        Matcher m = Pattern.compile("\\b" + name + " \"?([^\" ]+)\"?").matcher(packet);
        return m.find() ? m.group(1) : "?";
    }

    private static String source(String packet) {
        Matcher m = Pattern.compile("\\bip6? saddr (\\S+)").matcher(packet);
        return m.find() ? m.group(1) : "?";
    }
}
