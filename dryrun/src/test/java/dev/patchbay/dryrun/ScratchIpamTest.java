package dev.patchbay.dryrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dry run's IPAM writes only inside the state directory's copy: a data directory outside it is copied in first. */
class ScratchIpamTest {
    @TempDir
    Path tmp;

    @Test
    void aDataDirectoryOutsideTheCopyIsCopiedIntoIt() throws Exception {
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        Path outside = Files.createDirectories(tmp.resolve("cni/networks/web"));
        Files.writeString(outside.resolve("10.0.0.2"), "c1\neth0");
        ScratchIpam ipam = new ScratchIpam(null, scratch);

        assertEquals(scratch.resolve("ipam"), ipam.dir(scratch.resolve("ipam")), "inside the copy: as it is");
        Path copy = ipam.dir(tmp.resolve("cni/networks"));
        assertTrue(copy.startsWith(scratch), copy.toString());
        assertEquals("c1\neth0", Files.readString(copy.resolve("web/10.0.0.2")));
        Files.writeString(copy.resolve("web/10.0.0.3"), "c2\neth0");
        assertEquals(copy, ipam.dir(tmp.resolve("cni/networks")), "copied once");
        assertTrue(Files.notExists(outside.resolve("10.0.0.3")), "the real one is as it was");
    }
}
