package dev.patchbay.itests;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A third-party network driver that misbehaves on request, compiled by the test against the distribution's core
 * bundle (the API only) and packed as a bundle with a hand-written component description: {@code --driver faulty},
 * {@code --opt fault=throw} (its set-up throws an IllegalStateException) or {@code --opt fault=hang --opt hang=S} (its
 * set-up ignores interrupts for S seconds, then makes its link as if nothing happened). Without a fault it makes a
 * veth pair per container, {@code fyHASH} in the host namespace and the container's interface; its teardown deletes it.
 * {@code fault=pass}, of the network or of the attachment ({@code attach --opt}), makes nothing (a plugin chained after
 * another driver).
 */
final class FaultyBundle {
    static final String NAME = "dev.patchbay.test.faulty";
    static final String VERSION = "1.2.3";

    private FaultyBundle() {
    }

    private static final String SOURCE = """
            package dev.patchbay.test.faulty;

            import dev.patchbay.core.errors.ErrorCollector;
            import dev.patchbay.core.model.IfName;
            import dev.patchbay.core.model.LinkRef;
            import dev.patchbay.core.model.LinkSpec;
            import dev.patchbay.core.network.AttachRequest;
            import dev.patchbay.core.network.Attachment;
            import dev.patchbay.core.network.NetworkConfig;
            import dev.patchbay.core.network.NetworkContext;
            import dev.patchbay.core.network.NetworkPlugin;
            import java.util.List;
            import java.util.Map;

            public final class FaultyDriver implements NetworkPlugin {
                public Map<String, String> options() {
                    return Map.of("fault", "throw or hang", "hang", "seconds");
                }

                public void validate(NetworkContext ctx, List<NetworkConfig> others) {
                }

                public static IfName link(String containerId) {
                    return IfName.of("fy" + Integer.toHexString(containerId.hashCode()));
                }

                public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
                    String fault = request.options().getOrDefault("fault", ctx.config().options().getOrDefault("fault", ""));
                    if (fault.equals("pass")) {
                        return previous;
                    }
                    if (fault.equals("throw")) {
                        throw new IllegalStateException("the faulty driver fails on purpose");
                    }
                    if (fault.equals("hang")) {
                        long until = System.nanoTime() + Long.parseLong(ctx.config().options().getOrDefault("hang", "3600")) * 1_000_000_000L;
                        while (System.nanoTime() < until) {
                            try {
                                Thread.sleep(50);
                            } catch (InterruptedException e) {
                                // a stuck plugin: it does not listen
                            }
                        }
                    }
                    IfName link = link(request.containerId());
                    ctx.host().links().add(new LinkSpec.Veth(link, request.ifName(), request.container(), null, null, null));
                    return new Attachment(previous.network(), previous.containerId(), previous.netnsPath(), previous.ifName(), link,
                            previous.mac(), previous.addresses(), previous.ports());
                }

                public void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
                    IfName link = attachment.hostIf() != null ? attachment.hostIf() : link(attachment.containerId());
                    errors.run("delete link " + link, () -> ctx.host().links().delete(LinkRef.name(link)));
                }
            }
            """;

    private static final String XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="dev.patchbay.test.faulty.FaultyDriver">
              <property name="patchbay.plugin.type" value="faulty"/>
              <service><provide interface="dev.patchbay.core.network.NetworkPlugin"/></service>
              <implementation class="dev.patchbay.test.faulty.FaultyDriver"/>
            </scr:component>
            """;

    /** Compiles and packs the driver into {@code target}, importing the API packages in the range an example does. */
    static Path write(Path dist, Path target, String networkImport) throws IOException {
        return write(dist, target, networkImport, NAME, "faulty");
    }

    /** The same driver as bundle {@code symbolicName}, registered as plugin type {@code type}. */
    static Path write(Path dist, Path target, String networkImport, String symbolicName, String type) throws IOException {
        return write(dist, target, networkImport, symbolicName, type, "");
    }

    /** The same with more of the component's service properties, as {@code <property .../>} elements. */
    static Path write(Path dist, Path target, String networkImport, String symbolicName, String type, String properties) throws IOException {
        Path core;
        try (Stream<Path> jars = Files.list(dist.resolve("bundles"))) {
            core = jars.filter(p -> p.getFileName().toString().startsWith("core-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no core bundle in " + dist));
        }
        Path work = Files.createTempDirectory("pb-faulty");
        try {
            Path src = work.resolve("src/dev/patchbay/test/faulty/FaultyDriver.java");
            Files.createDirectories(src.getParent());
            Files.writeString(src, SOURCE);
            Path classes = Files.createDirectories(work.resolve("classes"));
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            int rc = javac.run(null, null, null, "--release", "17", "-cp", core.toString(), "-d", classes.toString(), src.toString());
            if (rc != 0) {
                throw new AssertionError("the faulty driver does not compile (javac exit " + rc + ")");
            }
            Manifest mf = new Manifest();
            Attributes main = mf.getMainAttributes();
            main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            main.putValue("Bundle-ManifestVersion", "2");
            main.putValue("Bundle-SymbolicName", symbolicName);
            main.putValue("Bundle-Version", VERSION);
            String range = networkImport.replaceAll(".*version=\"([^\"]+)\".*", "$1");
            main.putValue("Import-Package", String.join(",", List.of("dev.patchbay.core.errors", "dev.patchbay.core.model", "dev.patchbay.core.spi")
                    .stream().map(p -> p + ";version=\"[0,100)\"").toList()) + "," + "dev.patchbay.core.network;version=\"" + range + "\"");
            main.putValue("Require-Capability", "osgi.extender;filter:=\"(&(osgi.extender=osgi.component)(version>=1.3.0)(!(version>=2.0.0)))\"");
            main.putValue("Service-Component", "OSGI-INF/faulty.xml");
            try (OutputStream file = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(file, mf)) {
                out.putNextEntry(new JarEntry("OSGI-INF/faulty.xml"));
                out.write(XML.replace("value=\"faulty\"/>", "value=\"" + type + "\"/>" + properties).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
                out.putNextEntry(new JarEntry("dev/patchbay/test/faulty/FaultyDriver.class"));
                out.write(Files.readAllBytes(classes.resolve("dev/patchbay/test/faulty/FaultyDriver.class")));
                out.closeEntry();
            }
            return target;
        } finally {
            try (Stream<Path> walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
