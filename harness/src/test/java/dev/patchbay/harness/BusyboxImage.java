package dev.patchbay.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The runtimes' test image, made here so that nothing is pulled: busybox-static and its applets, /etc/passwd and a
 * page for httpd. As a root file system tar (what {@code podman import} takes) and as an OCI image layout archive
 * (what {@code ctr image import} takes: one uncompressed layer, its config, a manifest, an index naming it).
 */
public final class BusyboxImage {
    static final List<String> APPLETS = List.of("sh", "ping", "ip", "nc", "httpd", "cat", "ls", "echo", "sleep", "true", "hostname");

    private BusyboxImage() {
    }

    /** The root file system as a tar in {@code dir} (rootfs.tar). */
    static Path rootfsTar(Path dir) throws IOException {
        Path root = dir.resolve("rootfs");
        for (String d : List.of("bin", "etc", "proc", "sys", "dev", "tmp", "var/www", "root")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        root.resolve("bin/busybox").toFile().setExecutable(true, false);
        for (String a : APPLETS) {
            Files.createSymbolicLink(root.resolve("bin/" + a), Path.of("busybox"));
        }
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(root.resolve("var/www/index.html"), "hello from busybox httpd\n");
        Path tar = dir.resolve("rootfs.tar");
        Holder.exec(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."), null, 60).ok("tar of the image");
        return tar;
    }

    /** An OCI image layout archive in {@code dir} (image-oci.tar) whose index names the image {@code name}. */
    static Path ociArchive(Path dir, String name) throws IOException {
        return ociArchive(dir, name, "[\"/bin/sh\"]");
    }

    /**
     * The same with the command {@code cmd} (a JSON list): a CRI sandbox image runs it as the pod's first process,
     * which must stay (the pause process), e.g. {@code ["/bin/sleep","2147483647"]}.
     */
    static Path ociArchive(Path dir, String name, String cmd) throws IOException {
        Path layer = rootfsTar(dir);
        Path oci = dir.resolve("oci");
        Path blobs = oci.resolve("blobs/sha256");
        Files.createDirectories(blobs);
        String layerDigest = blob(blobs, Files.readAllBytes(layer));
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":" + cmd + "},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + layerDigest + "\"]}}";
        String configDigest = blob(blobs, config.getBytes(StandardCharsets.UTF_8));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + configDigest
                + "\",\"size\":" + config.length() + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"sha256:" + layerDigest + "\",\"size\":" + Files.size(layer) + "}]}";
        String manifestDigest = blob(blobs, manifest.getBytes(StandardCharsets.UTF_8));
        Files.writeString(oci.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + manifestDigest + "\",\"size\":"
                + manifest.length() + ",\"annotations\":{\"io.containerd.image.name\":\"" + name + "\"}}]}");
        Files.writeString(oci.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Path archive = dir.resolve("image-oci.tar");
        Holder.exec(List.of("tar", "-C", oci.toString(), "-cf", archive.toString(), "."), null, 60).ok("tar of the OCI layout");
        return archive;
    }

    /** Stores {@code content} under its sha256 in {@code blobs}; returns the hex digest. */
    private static String blob(Path blobs, byte[] content) throws IOException {
        try {
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            Files.write(blobs.resolve(hex), content);
            return hex;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
