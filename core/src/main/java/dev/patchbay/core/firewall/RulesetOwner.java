package dev.patchbay.core.firewall;

import dev.patchbay.core.errors.InvalidInputException;
import java.util.regex.Pattern;

/**
 * Who a set of rules belongs to, e.g. {@code net:web} or {@code att:web/c1}; backends tag each rule with it (a comment),
 * so an owner's removal is exact. 1-100 of {@code [A-Za-z0-9_.:/@+-]}, first a letter or digit: safe in any comment.
 */
public record RulesetOwner(String id) implements Comparable<RulesetOwner> {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/@+-]{0,99}");

    public RulesetOwner {
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidInputException("firewall owner", id,
                    "must be 1-100 characters of letters, digits and _.:/@+-, starting with a letter or digit");
        }
    }

    public static RulesetOwner of(String id) {
        return new RulesetOwner(id);
    }

    @Override
    public int compareTo(RulesetOwner o) {
        return id.compareTo(o.id);
    }

    @Override
    public String toString() {
        return id;
    }
}
