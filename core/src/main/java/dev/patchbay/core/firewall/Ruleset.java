package dev.patchbay.core.firewall;

import dev.patchbay.core.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Everything one owner wants in the firewall of one host namespace. An empty list means "nothing". */
public record Ruleset(RulesetOwner owner, List<Rule> rules) {

    public Ruleset {
        if (owner == null) {
            throw new InvalidInputException("firewall owner", null, "is required");
        }
        rules = List.copyOf(rules == null ? List.of() : rules);
        Map<String, Rule.Entry> seen = new HashMap<>();
        for (Rule.Entry e : entries(rules)) {
            if (seen.putIfAbsent(e.key(), e) != null) {
                throw new InvalidInputException("port forward", e.key(), "is published twice by " + owner);
            }
        }
    }

    public static Ruleset of(RulesetOwner owner, Rule... rules) {
        return new Ruleset(owner, List.of(rules));
    }

    /** The rules of one kind, in order. */
    public <T extends Rule> List<T> rulesOf(Class<T> kind) {
        return rules.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** Every port forward, port by port. */
    public List<Rule.Entry> entries() {
        return entries(rules);
    }

    private static List<Rule.Entry> entries(List<Rule> rules) {
        List<Rule.Entry> out = new ArrayList<>();
        for (Rule r : rules) {
            if (r instanceof Rule.PortForward pf) {
                out.addAll(pf.entries());
            }
        }
        return out;
    }
}
