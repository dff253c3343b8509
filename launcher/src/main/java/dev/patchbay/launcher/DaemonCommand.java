package dev.patchbay.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Help for {@code patchbay daemon}; the launcher itself runs the daemon (see {@link DaemonServer}). */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = {"Run in the foreground as this network namespace's daemon: keep the framework, the netlink sockets",
            "and the firewall session open, and serve the CLI on a root-only socket (/run/patchbay/net-INODE.sock).",
            "A CLI started in the same namespace uses it; set PATCHBAY_DAEMON=off to work in-process instead."})
final class DaemonCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0; // reached only through a daemon, which refuses a second one earlier
    }
}
