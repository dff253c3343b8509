package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.AttachRequest;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which container: {@code --netns NAME | --pid PID | --path FILE}, and optionally {@code --id}. A picocli mixin (attach, detach, publish, doctor). */
public final class ContainerOptions {
    @Option(names = "--netns", paramLabel = "NS", description = "The container's named network namespace (/run/netns/NS).")
    String netns;

    @Option(names = "--pid", paramLabel = "PID", description = "The network namespace of this process.")
    Long pid;

    @Option(names = "--path", paramLabel = "FILE", description = "A network namespace file, e.g. /proc/PID/ns/net or a bind mount.")
    String path;

    @Option(names = "--id", paramLabel = "ID", description = "Container id (default: derived from --netns/--pid/--path).")
    String id;

    public NetnsRef ref() {
        int given = (netns != null ? 1 : 0) + (pid != null ? 1 : 0) + (path != null ? 1 : 0);
        if (given != 1) {
            throw new InvalidInputException("container", given == 0 ? "" : "several", "give exactly one of --netns, --pid or --path");
        }
        if (netns != null) {
            return NetnsRef.named(netns);
        }
        return pid != null ? NetnsRef.pid(pid) : NetnsRef.path(Path.of(path));
    }

    /** Whether a namespace option (--netns, --pid, --path) was given. */
    public boolean hasNamespace() {
        return netns != null || pid != null || path != null;
    }

    /** The container id: {@code --id}, or derived from the namespace option; no namespace needed when {@code --id} is given. */
    public String containerId() {
        return id != null ? id : idFor(ref());
    }

    /** A container id for a namespace reference: its name, {@code pid-N}, or the path with '/' as '_'. */
    public static String idFor(NetnsRef ref) {
        if (ref instanceof NetnsRef.Named n) {
            return n.name();
        }
        if (ref instanceof NetnsRef.OfPid p) {
            return "pid-" + p.pid();
        }
        String path = ref.path().toString().replaceAll("^/+", "").replaceAll("[^A-Za-z0-9_.:@-]", "_");
        return path.length() > 128 ? path.substring(path.length() - 128) : path;
    }
}
