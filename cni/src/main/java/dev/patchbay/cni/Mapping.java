package dev.patchbay.cni;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import java.util.function.Supplier;

/**
 * A plugin's mapping of one configuration ({@code NetworkPlugin.cniOptions}, {@code cniChange}), under the contract's
 * rules: null, or UnavailableException naming the key in its InvalidInputException cause, is not served ({@link Unserved},
 * the call falls through); an InvalidInputException is code 7 naming the field and the value.
 */
final class Mapping {
    private Mapping() {
    }

    static <T> T of(String type, Supplier<T> mapping) {
        return of(type, mapping, false);
    }

    /** With {@code nullable}, null is returned (the plugin does not map this kind of call), not a fall-through. */
    static <T> T of(String type, Supplier<T> mapping, boolean nullable) {
        T mapped;
        try {
            mapped = mapping.get();
        } catch (InvalidInputException e) {
            String prefix = "invalid " + e.field() + " \"" + e.value() + "\": ";
            String problem = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
            throw CniError.config(e.field(), "null".equals(e.value()) ? null : e.value(), problem);
        } catch (UnavailableException e) {
            throw new Unserved(e.getCause() instanceof InvalidInputException key ? key.field() : "type", e.getMessage());
        }
        if (mapped == null && !nullable) {
            throw new Unserved("type", "the installed plugin \"" + type + "\" does not serve this configuration as a CNI type");
        }
        return mapped;
    }
}
