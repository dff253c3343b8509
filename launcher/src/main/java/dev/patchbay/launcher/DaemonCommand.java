package dev.patchbay.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Help for {@code patchbay daemon}; the launcher itself runs the daemon (see {@link DaemonServer}). */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = {"Serve this network namespace's CLI and CNI calls from one long-lived process, in the foreground.",
            "It keeps the framework, the netlink sockets and the firewall session open, and serves on a root-only socket",
            "(/run/patchbay/net-INODE.sock).",
            "A CLI started in the same namespace uses it; set PATCHBAY_DAEMON=off to work in-process instead.",
            "At start it runs patchbay gc for its namespace (operations a crash interrupted are finished or undone, what the",
            "kernel lost is made again); while it runs it puts back rules someone flushed and, on the kernel's events, bridges",
            "and links someone deleted. A CLI whose daemon dies mid-request says so and runs nothing again: run patchbay gc.",
            "As a service (patchbay.socket, patchbay.service): it serves the socket systemd passes (LISTEN_FDS), tells systemd",
            "READY=1 once it serves and STOPPING=1, finishes the requests it took on SIGTERM and keeps serving on SIGHUP.",
            "A CLI or CNI call waits at most 10 s for a daemon that says nothing (stopped, hung); a CNI configuration may be",
            "at most 1 MiB; CNI calls of one container and interface run in the order they came.",
            "Where no daemon runs, the first CLI command or CNI call starts one (patchbay daemon --idle SECONDS, its log",
            "net-INODE.log beside its socket); PATCHBAY_DAEMON_AUTOSTART=off turns that off. A daemon started by hand (no",
            "--idle) that finds one a command started asks it to leave and serves in its place."})
final class DaemonCommand implements Callable<Integer> {
    @Option(names = "--idle", paramLabel = "SECONDS", description = {"Leave after serving nobody for SECONDS (removing the socket first);",
        "0, the default, never; configured: daemon-idle of the configuration (PATCHBAY_DAEMON_IDLE, default 300), which a",
        "daemon a command started gets. Not with systemd's socket."})
    String idle;

    @Override
    public Integer call() {
        return 0; // reached only through a daemon, which refuses a second one earlier
    }
}
