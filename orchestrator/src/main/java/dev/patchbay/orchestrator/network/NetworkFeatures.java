package dev.patchbay.orchestrator.network;

import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a bundle adds to a network, for operators to see: {@code patchbay topology} draws it beside the network and
 * {@code network inspect} lists it. A bundle registers one as a service; each is asked for every network shown, so
 * a feature whose bundle is removed disappears from both with it.
 */
@ConsumerType
public interface NetworkFeatures {
    /** This bundle's features of the network {@code shown}; empty where it has none. */
    List<Feature> of(Shown shown);

    /** The network shown: its records' state directory, its host namespace, its configuration and its attachments. */
    record Shown(java.nio.file.Path stateDir, dev.patchbay.core.model.NetnsRef host, NetworkConfig config, List<Attachment> attachments) {
    }

    /**
     * One feature: its {@code kind} ({@code dns}, {@code service}), a one-line {@code title}, detail {@code lines} for
     * text, and the same facts as {@code data} for JSON (keys kept in the order given).
     */
    record Feature(String kind, String title, List<String> lines, Map<String, Object> data) {
        public Feature {
            if (kind == null || title == null) {
                throw new IllegalArgumentException("a feature needs a kind and a title");
            }
            lines = List.copyOf(lines == null ? List.of() : lines);
            data = data == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
        }
    }

    /** Every source's features of one network, sources in the order given; a source that fails is named instead. */
    static List<Feature> collect(List<NetworkFeatures> sources, Shown shown) {
        List<Feature> out = new java.util.ArrayList<>();
        for (NetworkFeatures s : sources) {
            try {
                out.addAll(s.of(shown));
            } catch (RuntimeException e) {
                out.add(new Feature("error", "a feature could not be read: " + e.getMessage(), List.of(), Map.of("source", s.getClass().getName())));
            }
        }
        return out;
    }
}
