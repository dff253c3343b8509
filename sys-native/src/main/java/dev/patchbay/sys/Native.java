package dev.patchbay.sys;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The JNI methods of libpatchbay-sys (src/main/c/patchbay-sys.c, built by the Maven build). Each returns its
 * result or -errno. Buffers must be direct; strings are NUL-terminated UTF-8 arrays ({@link LibC#cString}).
 *
 * <p>In the framework the library comes from the bundle ({@code Bundle-NativeCode}); on a plain class path (unit
 * tests) from this package's resource: the file itself, or a copy of it when it is inside a jar.
 */
final class Native {
    static final String LIBRARY = "patchbay-sys";

    static {
        load();
    }

    private Native() {
    }

    /** Does nothing: calling it makes sure the library is loaded (the class's initialisation loads it). */
    static void loaded() {
    }

    private static void load() {
        try {
            System.loadLibrary(LIBRARY);
            return;
        } catch (UnsatisfiedLinkError notInFramework) {
            URL url = Native.class.getResource("lib" + LIBRARY + ".so");
            if (url == null) {
                throw notInFramework;
            }
            try {
                if (url.getProtocol().equals("file")) {
                    System.load(Path.of(url.toURI()).toString());
                    return;
                }
                Path copy = Files.createTempFile("lib" + LIBRARY, ".so");
                try (InputStream in = url.openStream()) {
                    Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                    System.load(copy.toString());
                } finally {
                    Files.deleteIfExists(copy); // mapped: the file is not needed any more
                }
            } catch (IOException | URISyntaxException e) {
                UnsatisfiedLinkError error = new UnsatisfiedLinkError("cannot load " + url + ": " + e.getMessage());
                error.initCause(e);
                throw error;
            }
        }
    }

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, ByteBuffer addr, int len);

    static native int setsockopt(int fd, int level, int name, ByteBuffer value, int len);

    static native long sendto(int fd, ByteBuffer buf, int offset, long len, int flags, ByteBuffer addr, int addrlen);

    static native long recv(int fd, ByteBuffer buf, int offset, long len, int flags);

    static native int getsockoptLong(int fd, int level, int name, long[] out);

    static native int ioctlLong(int fd, long request, long[] out);

    static native int close(int fd);

    static native int open(byte[] path, int flags, int mode);

    static native int flock(int fd, int operation);

    static native int setns(int fd, int type);

    static native int unshare(int flags);

    static native int mount(byte[] source, byte[] target, byte[] type, long flags, byte[] data);

    static native int umount2(byte[] target, int flags);

    static native String strerror(int errnum);

    static native String nftUnavailable();

    static native long nftNew();

    static native void nftFree(long ctx);

    static native int nftRun(long ctx, int flags, byte[] commands, byte[][] out);
}
