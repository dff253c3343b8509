package dev.patchbay.launcher;

import java.nio.file.Files;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A CLI with state and run folders of its own, served by a daemon of its own for the whole test class:
 * {@code @RegisterExtension static final DaemonCli pb = new DaemonCli();}, then {@code pb.cli().run(...)}.
 */
final class DaemonCli implements BeforeAllCallback, AfterAllCallback {
    private Cli cli;
    private Process daemon;

    Cli cli() {
        return cli;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cli = new Cli(Files.createTempDirectory("pb-state"), Files.createTempDirectory("pb-run"));
        daemon = cli.startDaemon(java.util.Map.of("PATCHBAY_STATE_DIR", cli.stateDir().toString())); // its gc at start: this state
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (daemon != null) {
            daemon.destroy();
            daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
