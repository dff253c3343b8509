package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.patchbay.testing.NetnsTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernel tests' sandbox JVM ({@code .ci/sandbox/bin/java}) works from a checkout under /tmp: it mounts a scratch
 * folder over /tmp, and binds back into it what the JVM runs from there (its working folder, the paths it is given),
 * so the JVM still sees them. It hid them once ("The forked VM terminated" for a checkout in /tmp).
 */
@NetnsTest
class SandboxTmpIT {
    private static final Path SANDBOX_JAVA = Path.of("../.ci/sandbox/bin/java").toAbsolutePath().normalize();

    @Test
    void aJvmRunFromACheckoutUnderTmpSeesItsFilesAndLeavesNoScratch() throws Exception {
        Path checkout = Files.createTempDirectory(Path.of("/tmp"), "pb-checkout");
        try {
            Files.writeString(checkout.resolve("Probe.java"), "public class Probe { public static void main(String[] a) throws Exception {"
                    + " System.out.println(java.nio.file.Files.readString(java.nio.file.Path.of(a[0])).strip() + \" \""
                    + " + System.getProperty(\"patchbay.sandbox\")); } }");
            Files.writeString(checkout.resolve("marker.txt"), "seen");
            Process p = new ProcessBuilder(SANDBOX_JAVA.toString(), "Probe.java", checkout.resolve("marker.txt").toString())
                    .directory(checkout.toFile()).redirectErrorStream(true).start();
            boolean done = p.waitFor(60, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(true, done, "the sandbox JVM ended");
            assertEquals("seen 1", out, "inside a sandbox (patchbay.sandbox=1), the checkout's files are there");
            try (Stream<Path> left = Files.list(Path.of("/tmp"))) {
                assertFalse(left.anyMatch(f -> f.getFileName().toString().startsWith("patchbay-sandbox-tmp.")
                        && !f.toString().equals(System.getenv("PATCHBAY_SANDBOX_TMP"))), "the inner sandbox deleted its scratch");
            }
        } finally {
            try (Stream<Path> files = Files.walk(checkout)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
