package dev.patchbay.plugin.ipam.store;

/** The three libc calls behind {@link Flock}; public because jnr-ffi implements it in a generated class. */
public interface LibC {
    int O_RDONLY = 0;
    int O_CREAT = 0100;
    int O_CLOEXEC = 02000000;
    int LOCK_SH = 1;
    int LOCK_EX = 2;
    int LOCK_UN = 8;

    int open(String path, int flags, int mode);

    int flock(int fd, int operation);

    int close(int fd);
}
