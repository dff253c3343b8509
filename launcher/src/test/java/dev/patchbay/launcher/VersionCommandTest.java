package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VersionCommandTest {
    private static final VersionCommand.Info INFO = new VersionCommand.Info("0.1.0", "0123456789abcdef", "17.0.9 (OpenJDK \"x\")",
            new TreeMap<>(Map.of("dev.patchbay.core.spi", "1.4.0", "dev.patchbay.core.model", "1.2.0")));

    @Test
    void jsonHasTheVersionTheCommitAndEachSpiPackage() {
        assertEquals("{\"version\":\"0.1.0\",\"commit\":\"0123456789abcdef\",\"java\":\"17.0.9 (OpenJDK \\\"x\\\")\","
                + "\"spi\":{\"dev.patchbay.core.model\":\"1.2.0\",\"dev.patchbay.core.spi\":\"1.4.0\"}}\n", VersionCommand.json(INFO));
    }

    @Test
    void textListsOnePackageALine() {
        assertEquals("""
                patchbay 0.1.0
                commit   0123456789abcdef
                java     17.0.9 (OpenJDK "x")
                spi      dev.patchbay.core.model 1.2.0
                         dev.patchbay.core.spi 1.4.0
                """, VersionCommand.text(INFO));
    }

    @Test
    void controlCharactersAreEscaped() {
        assertEquals("\"a\\u000ab\\\\\"", VersionCommand.quote("a\nb\\"));
    }
}
