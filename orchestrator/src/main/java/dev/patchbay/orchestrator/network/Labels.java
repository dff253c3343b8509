package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.InvalidInputException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A network's labels, as Docker's: {@code --label KEY=VALUE} on create, shown by {@code inspect} and {@code ls -o json},
 * selected by {@code ls --filter label=KEY} (the key set) or {@code label=KEY=VALUE} (set to that value); several
 * filters select the networks that match every one.
 */
final class Labels {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_./-]{0,127}");

    private Labels() {
    }

    /** Refuses a key that is not letters, digits, '_', '.', '/' or '-' (up to 128), or a value holding a control character. */
    static void check(Map<String, String> labels) {
        labels.forEach((k, v) -> {
            if (!KEY.matcher(k).matches() || v == null || v.chars().anyMatch(Character::isISOControl)) {
                throw new InvalidInputException("label", k + "=" + v, "must be KEY=VALUE, the key of letters, digits, '_', '.', '/' or"
                        + " '-' (up to 128), the value without control characters");
            }
        });
    }

    /** True when {@code labels} match every filter of {@code ls --filter}; refuses a filter that is not label=KEY[=VALUE]. */
    static boolean match(Map<String, String> labels, List<String> filters) {
        for (String f : filters) {
            if (!f.startsWith("label=") || f.length() == "label=".length()) {
                throw new InvalidInputException("filter", f, "must be label=KEY or label=KEY=VALUE");
            }
            String kv = f.substring("label=".length());
            int eq = kv.indexOf('=');
            String key = eq < 0 ? kv : kv.substring(0, eq);
            if (!labels.containsKey(key) || eq >= 0 && !labels.get(key).equals(kv.substring(eq + 1))) {
                return false;
            }
        }
        return true;
    }
}
