package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Root's CLI talks only to a daemon socket that is root's, in a folder only root can write, served by a root process
 * (the CNI shim's rules), and refuses any other in one line, exit 3, sending it nothing. A user without root is told
 * "permission denied ... (run as root)", exit 3. The state directory is root's alone: folders 0700, files 0600.
 */
@NetnsTest
class LeastPrivilegeIT {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    /**
     * A fake daemon: accepts, records that it was reached, answers "exit 0, stdout: fake" as the daemon's frame would.
     * A client that refuses it once connected (SO_PEERCRED) closes at once: the fake serves the next one all the same.
     */
    static final String FAKE = "import socket,struct,sys,time\n"
            + "s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8); print('ready', flush=True)\n"
            + "while True:\n"
            + "    c,_=s.accept(); print('reached', flush=True)\n"
            + "    out=b'fake reply\\n'\n"
            + "    try: c.sendall(struct.pack('>i',0)+struct.pack('>i',len(out))+out+struct.pack('>i',0))\n"
            + "    except OSError: pass\n"
            + "    c.close()\n";

    static void needs() {
        boolean ok = Files.isExecutable(PYTHON) && Files.isExecutable(SETPRIV);
        if (!ok && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("needs " + PYTHON + " and " + SETPRIV);
        }
        Assumptions.assumeTrue(ok, "needs python3 and setpriv");
        // a checkout in a folder of root's alone (mktemp -d makes them 0700): the unprivileged user cannot reach it
        for (Path p = Cli.DIST.toAbsolutePath(); p != null; p = p.getParent()) {
            try {
                Assumptions.assumeTrue(((Integer) Files.getAttribute(p, "unix:mode") & 01) != 0,
                        "the distribution is out of other users' reach: " + p + " is not searchable by them");
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** The socket name the CLI of this (the test JVM's) namespace looks for in a run directory. */
    static Path socketIn(Path run) throws Exception {
        String ns = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString().replaceAll("[^0-9]", "");
        return run.resolve("net-" + ns + ".sock");
    }

    /** A folder under target/ (the test JVM's /tmp is root's alone: nobody could not bind there). */
    static Path folder(String name) throws Exception {
        return Files.createTempDirectory(Cli.DIST.toAbsolutePath().getParent(), name);
    }

    /** Starts the fake daemon as nobody on {@code sock}; returns once it listens. */
    static Process fakeDaemon(Path sock) throws Exception {
        Process p = new ProcessBuilder(SETPRIV.toString(), "--reuid=65534", "--regid=65534", "--clear-groups", PYTHON.toString(), "-c", FAKE,
                sock.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertEquals("ready", new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine());
        return p;
    }

    static boolean reached(Process fake) throws Exception {
        Thread.sleep(200);
        return fake.getInputStream().available() > 0;
    }

    private static void refused(Cli.Run r, String why) {
        assertEquals(3, r.code(), r.err() + r.out());
        assertFalse(r.out().contains("fake reply"), "the fake reply is never printed: " + r.out());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains("refusing") && r.err().contains(why), r.err());
    }

    static void delete(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    /** The finding: a socket of nobody's in a world-writable PATCHBAY_RUN_DIR got root's command line and its reply was printed. */
    @Test
    void aSocketOfAnotherUserIsRefused(Sandbox sandbox) throws Exception {
        needs();
        Path run = folder("pb-run-open");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
        Process fake = fakeDaemon(socketIn(run));
        try {
            Cli cli = new Cli(Files.createTempDirectory("pb-state"), run);
            refused(cli.run("network", "ls"), "not a socket owned by root (uid 65534)");
            assertFalse(reached(fake), "nothing was sent to it");

            // root's socket file in that folder: still refused (anyone could have swapped it)
            Files.setAttribute(socketIn(run), "unix:uid", 0);
            refused(cli.run("network", "ls"), "is not root's alone (owner uid 0, mode 777)");
            assertFalse(reached(fake), "nothing was sent to it");

            // root's socket in root's folder, but the process serving it is nobody's: SO_PEERCRED
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
            refused(cli.run("network", "ls"), "the process serving it is not root's");
        } finally {
            fake.destroyForcibly();
            fake.waitFor(30, TimeUnit.SECONDS);
            delete(run);
        }
    }

    @Test
    void aUserWithoutRootIsToldToRunAsRoot(Sandbox sandbox) throws Exception {
        needs();
        String red = sandbox.netns("red");
        Path state = Files.createTempDirectory("pb-state");
        Cli cli = new Cli(state, Files.createTempDirectory("pb-run"));
        try {
            cli.run("network", "create", "lp", "--subnet", "10.72.0.0/24", "--bridge", "pblp0").ok();
            String[][] commands = {
                {"network", "create", "lp2", "--subnet", "10.72.1.0/24"},
                {"attach", "lp", "--netns", red},
                {"detach", "lp", "--netns", red},
                {"network", "ls"},
                {"ls"},
                {"gc"},
                {"firewall", "show"},
            };
            for (String[] c : commands) {
                List<String> argv = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                        Cli.DIST.resolve("bin/patchbay").toString()));
                argv.addAll(List.of(c));
                ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
                pb.environment().put("PATCHBAY_STATE_DIR", state.toString());
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(3, p.exitValue(), String.join(" ", c) + ": " + out);
                assertTrue(out.startsWith("patchbay: permission denied") && out.strip().endsWith("(run as root)"), String.join(" ", c) + ": " + out);
                assertEquals(1, out.strip().lines().count(), out);
            }
            assertFalse(cli.run("-o", "json", "ls").ok().out().contains(red), "nothing was attached");
            assertFalse(sandbox.execIn(red, "ip", "-o", "link").output().contains("eth0"), "the container got no link");
        } finally {
            cli.run("network", "rm", "lp");
        }
    }

    /** Folders 0700 and files 0600, all root's: made so, and an older state directory of 0755 narrowed. */
    @Test
    void theStateDirectoryIsRootsAlone(Sandbox sandbox) throws Exception {
        String red = sandbox.netns("red");
        Path state = Files.createTempDirectory("pb-state").resolve("made-by-patchbay");
        Cli cli = new Cli(state, Files.createTempDirectory("pb-run"));
        try {
            cli.run("network", "create", "modes", "--subnet", "10.72.2.0/24", "--bridge", "pbmodes0", "--masquerade").ok();
            cli.run("attach", "modes", "--netns", red, "--publish", "8080:80/tcp").ok();
            assertRootsAlone(state);
            Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x")); // as an older release left it
            cli.run("publish", "modes", "--netns", red, "8081:81/tcp").ok();
            assertRootsAlone(state);
        } finally {
            cli.run("detach", "modes", "--netns", red);
            cli.run("network", "rm", "modes");
        }
    }

    private static void assertRootsAlone(Path state) throws Exception {
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(state)) {
            for (Path p : walk.toList()) {
                int mode = (Integer) Files.getAttribute(p, "unix:mode") & 0777;
                int uid = (Integer) Files.getAttribute(p, "unix:uid");
                int want = Files.isDirectory(p) ? 0700 : 0600;
                if (mode != want || uid != 0) {
                    wrong.add(state.relativize(p) + " " + Integer.toOctalString(mode) + " uid " + uid);
                }
            }
        }
        assertEquals(List.of(), wrong, "every folder 0700, every file 0600, root's");
    }
}
