package dev.patchbay.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code patchbay metrics}: the daemon answers it itself ({@link DaemonServer}) with its metrics in Prometheus' text
 * format; this command runs only where no daemon serves the namespace, and says so.
 */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {"Print the daemon's metrics in Prometheus' text format.",
            "Requests by command and result with their latency, networks, attachments, addresses used and free per network,",
            "repairs, the firewall backend, plugin problems. Only a daemon has metrics: with none serving this namespace it",
            "says so and exits 3 (it starts none).",
            "The daemon also serves them to scrapers over HTTP (GET /metrics) where " + MetricsEndpoint.SETTING + " says:",
            "off (the default), unix:/PATH (unix alone: net-INODE.metrics.sock beside the daemon's socket), 127.0.0.1:PORT",
            "or [::1]:PORT."})
final class MetricsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("patchbay: metrics: no daemon answered (none serves " + DaemonSocket.path()
                + ", or " + DaemonSocket.ENV_DAEMON + "=off): only a daemon has metrics; start one with patchbay daemon");
        return 3;
    }
}
