package dev.patchbay.launcher;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A CLI with state and run folders of its own, served by a daemon of its own for the whole test class:
 * {@code @RegisterExtension static final DaemonCli pb = new DaemonCli();}, then {@code pb.cli().run(...)}. One daemon
 * instead of a JVM per command: {@link #fresh} gives each test a state folder of its own that the same daemon serves
 * (the client names its state folder in every request), {@link #direct} the same folders without the daemon.
 */
final class DaemonCli implements BeforeAllCallback, AfterAllCallback {
    /**
     * Settings of a daemon that behaves, seen from a test, as one process per command does: a detach deletes its veth
     * pair before it returns (no reaper in the background), and no drift repair puts back what a test removed on purpose.
     */
    static final Map<String, String> AS_ONE_SHOT = Map.of("PATCHBAY_JAVA_OPTS", "-Dpatchbay.bridge.deferred-delete=false",
            "PATCHBAY_REPAIR_SECONDS", "3600");

    private final Map<String, String> env;
    private Cli cli;
    private Process daemon;

    DaemonCli() {
        this(Map.of());
    }

    /** A daemon with these settings (environment), e.g. {@link #AS_ONE_SHOT} or the firewall backend. */
    DaemonCli(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    Cli cli() {
        return cli;
    }

    /** What the daemon wrote so far (for a failure's message). */
    String log() {
        try {
            return Files.readString(cli.daemonLog());
        } catch (java.io.IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A CLI of a fresh state folder, its commands served by this daemon. */
    Cli fresh() {
        try {
            return new Cli(Files.createTempDirectory("pb-state"), cli.runDir());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code cli}'s state folder without a daemon: each command a fresh process working in-process. */
    static Cli direct(Cli cli) {
        return new Cli(cli.stateDir(), cli.runDir(), Map.of("PATCHBAY_DAEMON", "off"));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cli = new Cli(Files.createTempDirectory("pb-state"), Files.createTempDirectory("pb-run"));
        Map<String, String> all = new HashMap<>(env);
        all.put("PATCHBAY_STATE_DIR", cli.stateDir().toString()); // its gc at start: this state
        daemon = cli.startDaemon(all);
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (daemon != null) {
            daemon.destroy();
            daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
