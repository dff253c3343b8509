package dev.patchbay.topology;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.orchestrator.network.NetworkFeatures;
import dev.patchbay.orchestrator.network.NetworkManager;
import dev.patchbay.orchestrator.network.Networks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads what is there, changing nothing: the network records of the host namespace (through the orchestrator's
 * exported use cases), then each namespace's links, addresses and routes through core's SPI — the host's, every one
 * an attachment names, every named one under /run/netns — each namespace once, however many names it has.
 */
final class Discovery {
    private record Candidate(NetnsRef ref, NetnsId identity, String name, String role) {
    }

    private Discovery() {
    }

    static Topology discover(NetworkManager manager, List<NetworkFeatures> features, NetnsRef hostRef, Path stateDir, Consumer<String> warn) {
        NetworkStack stack = manager.stack();
        NetnsId hostIdentity = stack.identity(hostRef); // a missing host namespace: NotFoundException naming it
        String hostName = hostRef instanceof NetnsRef.Current ? "host" : hostRef.toString();
        List<Candidate> candidates = new ArrayList<>();
        candidates.add(new Candidate(hostRef, hostIdentity, hostName, "host"));

        List<Assemble.Recorded> recorded = new ArrayList<>();
        List<Attachment[]> pending = new ArrayList<>();
        for (Networks.Status s : manager.networks(stateDir).status(hostRef)) {
            if (s.config() == null || "unknown".equals(s.health())) {
                continue; // damaged, or it lives in another namespace
            }
            List<Attachment> attachments;
            try {
                attachments = manager.attachments(stateDir).list(s.name());
            } catch (PatchbayException e) {
                warn.accept(e.getMessage());
                attachments = List.of();
            }
            List<Assemble.Placed> placed = new ArrayList<>();
            for (Attachment a : attachments) {
                Candidate c = a.netnsPath() == null ? null : candidate(stack, NetnsRef.path(Path.of(a.netnsPath())), a.containerId(), candidates);
                placed.add(new Assemble.Placed(a, c == null ? null : c.name()));
            }
            recorded.add(new Assemble.Recorded(s.config(), s.health(), placed, NetworkFeatures.collect(features, new NetworkFeatures.Shown(stateDir, hostRef, s.config(), attachments))));
        }
        try {
            for (String name : stack.namespaces().list()) {
                candidate(stack, NetnsRef.named(name), name, candidates);
            }
        } catch (PatchbayException e) {
            warn.accept("cannot list " + NetnsRef.RUN_DIR + ": " + e.getMessage());
        }
        List<Assemble.Seen> seen = new ArrayList<>();
        for (Candidate c : candidates) {
            boolean container = recorded.stream().anyMatch(r -> r.attachments().stream().anyMatch(p -> c.name().equals(p.namespace())));
            try (NetnsHandle h = stack.open(c.ref())) {
                seen.add(new Assemble.Seen(c.name(), c.name(), c.role().equals("host") ? "host" : container ? "container" : "other",
                        h.links().list(), h.addresses().listAll(null), h.routes().list(null, null)));
            } catch (PatchbayException e) {
                if (c.role().equals("host")) {
                    throw e;
                }
                warn.accept("cannot read " + c.ref().describe() + ": " + e.getMessage());
            }
        }
        return Assemble.of(hostName, seen, recorded);
    }

    /**
     * The candidate {@code ref} is, added when it is a namespace not seen yet (its first name wins: a named namespace's
     * own name over a container id when the container's record names it by path); null when it cannot be opened.
     */
    private static Candidate candidate(NetworkStack stack, NetnsRef ref, String name, List<Candidate> candidates) {
        NetnsId id;
        try {
            id = stack.identity(ref);
        } catch (PatchbayException e) {
            return null; // gone: the records still list it (gc forgets it)
        }
        for (Candidate c : candidates) {
            if (c.identity().sameAs(id)) {
                return c;
            }
        }
        if (ref instanceof NetnsRef.AtPath p && p.path().getParent() != null && p.path().getParent().equals(NetnsRef.RUN_DIR)) {
            name = p.path().getFileName().toString();
        }
        String unique = name;
        for (int i = 2; taken(candidates, unique); i++) {
            unique = name + "~" + i;
        }
        Candidate c = new Candidate(ref, id, unique, "other");
        candidates.add(c);
        return c;
    }

    private static boolean taken(List<Candidate> candidates, String name) {
        return candidates.stream().anyMatch(c -> c.name().equals(name));
    }
}
