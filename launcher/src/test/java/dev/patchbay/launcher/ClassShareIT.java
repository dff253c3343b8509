package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/patchbay's class data sharing archives (bin/patchbay-cds): the first run that boots the framework makes one in a
 * root-only folder, later runs map it, a damaged one is skipped and replaced, and none of it reaches stdout; and the
 * framework template beside them.
 */
class ClassShareIT {
    @TempDir
    Path tmp;

    @Test
    void madeOnceUsedAfterwardsAndReplacedWhenDamaged() throws Exception {
        Path cache = tmp.resolve("cache");
        Cli cli = cli(cache, Map.of());

        Cli.Run first = cli.run("-o", "json", "network", "ls").ok();
        assertEquals("[]", first.out().strip(), "stdout holds the command's output only");
        List<Path> made = archives(cache);
        assertEquals(1, made.size(), "one archive: " + made);
        Path archive = made.get(0);
        assertTrue(archive.getFileName().toString().matches("cli-[0-9]+-[0-9]+-" + Files.size(archive) + "\\.jsa"), archive.toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(archive)));

        Path log = tmp.resolve("class-load.txt");
        Cli.Run second = cli(cache, Map.of("PATCHBAY_JAVA_OPTS", "-Xlog:class+load:file=" + log)).run("-o", "json", "network", "ls").ok();
        assertEquals(first.out(), second.out());
        assertEquals(List.of(archive), archives(cache), "used, not made again");
        assertTrue(Files.readString(log).contains("dev.patchbay.launcher.Main source: shared objects file (top)"),
                "the launcher's classes come from the archive");

        try (FileChannel ch = FileChannel.open(archive, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(archive) / 2); // a JVM mapping it would abort
        }
        Cli.Run third = cli.run("-o", "json", "network", "ls").ok();
        assertEquals(first.out(), third.out());
        List<Path> again = archives(cache);
        assertEquals(1, again.size(), "the damaged archive replaced: " + again);
        assertTrue(again.get(0).getFileName().toString().endsWith("-" + Files.size(again.get(0)) + ".jsa"), again.toString());

        Path off = tmp.resolve("off");
        cli(off, Map.of("PATCHBAY_CDS", "off")).run("network", "ls").ok();
        assertEquals(List.of(), archives(off), "PATCHBAY_CDS=off makes none");
    }

    /**
     * The framework template (FrameworkTemplate): made once next to the archives, root-only, holding SCR's parsed
     * component descriptions; later runs start from a copy and show the same bundles; one its folder does not vouch
     * for is not used, and is replaced.
     */
    @Test
    void oneShotRunsStartFromAFrameworkTemplate() throws Exception {
        Path cache = tmp.resolve("cache");
        Cli timed = cli(cache, Map.of("PATCHBAY_TIMING", "1"));
        Cli.Run first = timed.run("-o", "json", "plugins", "ls").ok();
        assertFalse(first.err().contains("template copied"), "no template yet: " + first.err());
        assertTrue(first.err().contains("template made"), first.err());
        List<Path> made = templates(cache);
        assertEquals(1, made.size(), "one template: " + made);
        Path template = made.get(0);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(template)));
        try (Stream<Path> files = Files.walk(template)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().equals("componentMetadataStore")),
                    "SCR's stored component descriptions");
        }
        assertEquals(made, templates(cache), "made once");

        Cli.Run second = timed.run("-o", "json", "plugins", "ls").ok();
        assertTrue(second.err().contains("template copied"), "started from the template: " + second.err());
        assertEquals(first.out(), second.out(), "the same bundles, started");
        assertEquals("[]", timed.run("-o", "json", "network", "ls").ok().out().strip());

        Files.setPosixFilePermissions(template, PosixFilePermissions.fromString("rwxrwxrwx"));
        Cli.Run third = timed.run("-o", "json", "plugins", "ls").ok();
        assertFalse(third.err().contains("template copied"), "a template others may write is not used: " + third.err());
        assertEquals(first.out(), third.out());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(template)), "replaced");
        assertTrue(timed.run("-o", "json", "plugins", "ls").ok().err().contains("template copied"));

        Path off = tmp.resolve("off");
        cli(off, Map.of("PATCHBAY_CDS", "off")).run("network", "ls").ok();
        assertEquals(List.of(), templates(off), "PATCHBAY_CDS=off makes none");
    }

    private static List<Path> templates(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("felix-")).sorted().toList();
        }
    }

    private Cli cli(Path cache, Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(extra);
        env.put("PATCHBAY_CACHE_DIR", cache.toString());
        env.put("PATCHBAY_DAEMON", "off");
        return new Cli(tmp.resolve("state"), tmp.resolve("run"), env);
    }

    private static List<Path> archives(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jsa")).sorted().toList();
        }
    }
}
