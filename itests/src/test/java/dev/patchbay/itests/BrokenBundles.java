package dev.patchbay.itests;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Plugins that cannot work, written by the tests: what {@code plugins ls} must explain. */
final class BrokenBundles {
    private BrokenBundles() {
    }

    /** How bnd imports the network API into a plugin that implements its {@code @ConsumerType} NetworkPlugin: {@code [M.m,M+1)}. */
    static final Pattern NETWORK_IMPORT = Pattern.compile("dev\\.patchbay\\.core\\.network;version=\"\\[(\\d+)\\.(\\d+),(\\d+)\\)\"");

    /**
     * The example as a build against the next major version of {@code dev.patchbay.core.network} would make
     * it: the same bundle under another name, importing that package in {@code [M+1.0,M+2)} where the real
     * build imports {@code [M.m,M+1)}.
     */
    static Path builtForNextNetworkApi(Path example, Path target) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(example))) {
            Manifest mf = new Manifest(in.getManifest());
            Attributes main = mf.getMainAttributes();
            String imports = main.getValue("Import-Package");
            Matcher m = NETWORK_IMPORT.matcher(imports);
            if (!m.find()) {
                throw new AssertionError("the example does not import dev.patchbay.core.network in a consumer range: " + imports);
            }
            int next = Integer.parseInt(m.group(1)) + 1;
            main.putValue("Import-Package", m.replaceFirst("dev.patchbay.core.network;version=\"[" + next + ".0," + (next + 1) + ")\""));
            main.putValue("Bundle-SymbolicName", "dev.patchbay.test.macvlan.nextapi");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), mf)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return target;
    }

    /**
     * A network plugin whose component needs a service no bundle provides: SCR keeps it unsatisfied (and
     * never loads its class, so the bundle needs none).
     */
    static Path needsAMissingService(Path target) throws IOException {
        Manifest mf = new Manifest();
        Attributes main = mf.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "dev.patchbay.test.needy");
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Import-Package", "dev.patchbay.core.network;version=\"[2.0,3)\"");
        main.putValue("Require-Capability", "osgi.extender;filter:=\"(&(osgi.extender=osgi.component)(version>=1.5.0)(!(version>=2.0.0)))\"");
        main.putValue("Service-Component", "OSGI-INF/needy.xml");
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.5.0" name="dev.patchbay.test.needy.NeedyDriver">
                  <property name="patchbay.plugin.type" value="needy"/>
                  <service><provide interface="dev.patchbay.core.network.NetworkPlugin"/></service>
                  <reference name="vault" interface="dev.patchbay.test.needy.Vault" field="vault"/>
                  <implementation class="dev.patchbay.test.needy.NeedyDriver"/>
                </scr:component>
                """;
        try (OutputStream file = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(file, mf)) {
            out.putNextEntry(new JarEntry("OSGI-INF/needy.xml"));
            out.write(xml.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return target;
    }

    /** The {@code Import-Package} header of a jar. */
    static String imports(Path jar) throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            return jf.getManifest().getMainAttributes().getValue("Import-Package");
        }
    }
}
