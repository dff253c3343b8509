package dev.patchbay.events.command;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.events.PatchbayEvents;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code --filter TYPE}, repeatable: an event passes when any filter names its type ({@code attached}), its type's
 * group (the part before the dash: {@code network} for {@code network-created} and {@code network-removed}, {@code link}
 * for {@code link-new} and {@code link-del}) or its source ({@code patchbay}, {@code kernel}). No filter: everything.
 */
record Filter(Set<String> words) {
    /** Patchbay's own types (Event Admin) and the kernel's. */
    static final List<String> OWN = List.of(PatchbayEvents.NETWORK_CREATED, PatchbayEvents.NETWORK_REMOVED, PatchbayEvents.ATTACHED,
            PatchbayEvents.DETACHED, PatchbayEvents.PUBLISHED, PatchbayEvents.UNPUBLISHED, PatchbayEvents.REPAIRED,
            PatchbayEvents.BACKEND_SWAPPED, PatchbayEvents.HEALTH_CHANGED, PatchbayEvents.SERVICE_BACKEND_DOWN, PatchbayEvents.SERVICE_BACKEND_UP,
            Plugins.INSTALLED, Plugins.REMOVED);
    static final List<String> KERNEL = List.of("link-new", "link-del", "addr-new", "addr-del", "route-new", "route-del", "neigh-new",
            "neigh-del");

    /** Checks every word before anything runs; a word that can match nothing is refused, naming it and the choices. */
    static Filter of(List<String> given) {
        Set<String> known = known();
        Set<String> words = new TreeSet<>();
        for (String w : given == null ? List.<String>of() : given) {
            if (!known.contains(w)) {
                throw new InvalidInputException("events --filter", w, "must be a type, a group or a source: " + String.join(", ", known));
            }
            words.add(w);
        }
        return new Filter(Set.copyOf(words));
    }

    static Set<String> known() {
        Set<String> known = new TreeSet<>(Set.of(Line.PATCHBAY, Line.KERNEL));
        for (String t : concat()) {
            known.add(t);
            known.add(group(t));
        }
        return known;
    }

    private static List<String> concat() {
        return java.util.stream.Stream.concat(OWN.stream(), KERNEL.stream()).toList();
    }

    private static String group(String type) {
        int dash = type.indexOf('-');
        return dash < 0 ? type : type.substring(0, dash);
    }

    boolean accepts(Line l) {
        return words.isEmpty() || words.contains(l.type()) || words.contains(group(l.type())) || words.contains(l.source());
    }

    /** Whether any kernel event can pass (else the command opens no monitor). */
    boolean wantsKernel() {
        return words.isEmpty() || words.contains(Line.KERNEL) || KERNEL.stream().anyMatch(t -> words.contains(t) || words.contains(group(t)));
    }
}
