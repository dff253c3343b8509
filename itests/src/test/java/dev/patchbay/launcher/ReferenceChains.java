package dev.patchbay.launcher;

import dev.patchbay.testing.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The chains the reference CNI plugins (firewall, portmap, bridge's isolation) leave in the host's iptables after their
 * last DEL, by design: their {@code CNI-*} chains and the jumps to them. A class that runs those plugins in its test JVM's
 * namespace removes them when it is done (see CleanSandbox), so the next class of that JVM starts from a clean host.
 */
final class ReferenceChains {
    private ReferenceChains() {
    }

    /** Every rule and chain naming a {@code CNI-} chain, removed from iptables and ip6tables (each table rewritten without them). */
    static void remove() throws IOException {
        for (String tool : List.of("iptables", "ip6tables")) {
            String saved = Sandbox.exec(tool + "-save").output();
            if (!saved.contains("CNI-")) {
                continue;
            }
            String kept = saved.lines().filter(l -> !l.contains("CNI-")).collect(Collectors.joining("\n", "", "\n"));
            Path rules = Files.createTempFile("pb-rules", ".txt");
            try {
                Files.writeString(rules, kept);
                Sandbox.Result r = Sandbox.exec(tool + "-restore", rules.toString());
                if (r.code() != 0) {
                    throw new AssertionError(tool + "-restore exited " + r.code() + ": " + r.output());
                }
            } finally {
                Files.delete(rules);
            }
        }
    }
}
