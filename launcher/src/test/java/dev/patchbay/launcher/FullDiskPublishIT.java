package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A publish whose last write, the attachment's record, finds the disk full: the rules it applied go back to what the
 * record says, so the kernel, the firewall record and the attachment record agree (they did not: the port stayed
 * published while the record said otherwise). The state directory is on a tmpfs of the test's own (see {@link Tmpfs});
 * the attachment log ends at a page boundary, the firewall log has room for its appends, and no page is free.
 */
@NetnsTest
class FullDiskPublishIT {
    private static final int PAGE = 4096;
    private Tmpfs disk;
    private Path state;
    private Cli cli;

    @BeforeEach
    void disk() throws Exception {
        disk = Tmpfs.mount();
        state = disk.dir().resolve("state");
        cli = new Cli(state, Files.createTempDirectory("pb-run"));
    }

    @AfterEach
    void unmount() throws Exception {
        try {
            disk.plenty();
            cli.run("network", "rm", "--force", "fdp");
        } finally {
            disk.close();
        }
    }

    @Test
    void aPublishWhoseRecordFindsTheDiskFullLeavesNothingPublished(Sandbox sandbox) throws Exception {
        String c = sandbox.netns("c");
        cli.run("firewall", "backend", "nftables").ok();
        cli.run("network", "create", "fdp", "--subnet", "10.124.0.0/24", "--bridge", "pbfdp0").ok();
        cli.run("attach", "fdp", "--netns", c).ok();
        pad(state.resolve("attachments/fdp.log"), 0); // its next append needs a page
        try (Stream<Path> logs = Files.list(state.resolve("firewall"))) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                pad(log, 3 * 1024); // room for the rules' line and the one that takes it back
            }
        }

        disk.freePages(0);
        Cli.Run r;
        try {
            r = cli.run("publish", "fdp", "--netns", c, "8092:80/tcp");
        } finally {
            disk.plenty();
        }
        assertEquals(1, r.code(), r.err() + r.out());
        String err = r.err().strip();
        assertTrue(err.contains("No space left on device") && err.contains(state.resolve("attachments").toString()), "names the file: " + err);
        StateDamageIT.clean(err);
        assertFalse(Sandbox.exec("nft", "list", "ruleset").output().contains("8092"), "the port is not published");
        assertEquals("[]", ports(), "the record publishes nothing");
        try (Stream<Path> logs = Files.list(state.resolve("firewall"))) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                String text = Files.readString(log);
                String last = text.substring(text.lastIndexOf('\n', text.length() - 2) + 1);
                assertFalse(last.contains("8092"), "the firewall record took the rules back: " + last);
            }
        }

        cli.run("publish", "fdp", "--netns", c, "8092:80/tcp").ok(); // space back: it works
        assertTrue(Sandbox.exec("nft", "list", "ruleset").output().contains("8092"));
        assertTrue(ports().contains("8092"), ports());
        String gc = cli.run("gc").ok().out();
        assertTrue(gc.contains("freed 0") && !gc.contains("repaired") && !gc.contains("rebuilt"), "gc has nothing to fix: " + gc);
    }

    private String ports() {
        return JsonParser.parseString(cli.run("-o", "json", "ls", "fdp").ok().out()).getAsJsonArray().get(0).getAsJsonObject()
                .get("ports").toString();
    }

    /** Pads {@code log} with lines that change nothing, so that it ends {@code room} bytes short of a page boundary. */
    private static void pad(Path log, int room) throws Exception {
        long whole = Files.size(log);
        long len = Math.floorMod(-whole - room, PAGE);
        len += len < 40 ? PAGE : 0;
        String line = "{\"op\":\"del\",\"key\":\"pad-" + "x".repeat((int) len - 26) + "\"}\n";
        Files.write(log, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    }
}
