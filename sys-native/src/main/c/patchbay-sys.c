/*
 * libpatchbay-sys: the C calls Patchbay's bundles make, as JNI methods of dev.patchbay.sys.Native.
 *
 * Each call returns its result, or -errno when it failed: errno is read here, right after the call, before the JVM
 * runs anything else on the thread. Buffers are direct ByteBuffers (their address plus the offset Java passes);
 * strings arrive as NUL-terminated UTF-8 byte arrays. libnftables is opened with dlopen on first use, so this
 * library needs nothing but libc to load, and a machine without libnftables gets a clear error from the one bundle
 * that uses it. No allocation is kept across calls except the libnftables handle.
 */
#define _GNU_SOURCE
#include <jni.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#define NATIVE(name) JNICALL Java_dev_patchbay_sys_Native_##name

/* The address of a direct buffer plus offset, or NULL (a null or non-direct buffer: Java checks for that). */
static void *address(JNIEnv *env, jobject buffer, jint offset) {
    if (buffer == NULL) {
        return NULL;
    }
    char *base = (*env)->GetDirectBufferAddress(env, buffer);
    return base == NULL ? NULL : base + offset;
}

/* Pins a byte array (a NUL-terminated string) for the length of a call; NULL for a null array. */
static char *pin(JNIEnv *env, jbyteArray bytes) {
    return bytes == NULL ? NULL : (char *) (*env)->GetByteArrayElements(env, bytes, NULL);
}

static void unpin(JNIEnv *env, jbyteArray bytes, char *pinned) {
    if (pinned != NULL) {
        (*env)->ReleaseByteArrayElements(env, bytes, (jbyte *) pinned, JNI_ABORT);
    }
}

static jlong result(long r) {
    return r < 0 ? -(jlong) errno : (jlong) r;
}

JNIEXPORT jint NATIVE(socket)(JNIEnv *env, jclass c, jint domain, jint type, jint protocol) {
    (void) env; (void) c;
    return (jint) result(socket(domain, type, protocol));
}

JNIEXPORT jint NATIVE(bind)(JNIEnv *env, jclass c, jint fd, jobject addr, jint len) {
    (void) c;
    return (jint) result(bind(fd, address(env, addr, 0), (socklen_t) len));
}

JNIEXPORT jint NATIVE(setsockopt)(JNIEnv *env, jclass c, jint fd, jint level, jint name, jobject value, jint len) {
    (void) c;
    return (jint) result(setsockopt(fd, level, name, address(env, value, 0), (socklen_t) len));
}

JNIEXPORT jlong NATIVE(sendto)(JNIEnv *env, jclass c, jint fd, jobject buf, jint offset, jlong len, jint flags,
                               jobject addr, jint addrlen) {
    (void) c;
    return result(sendto(fd, address(env, buf, offset), (size_t) len, flags, address(env, addr, 0), (socklen_t) addrlen));
}

JNIEXPORT jlong NATIVE(recv)(JNIEnv *env, jclass c, jint fd, jobject buf, jint offset, jlong len, jint flags) {
    (void) c;
    return result(recv(fd, address(env, buf, offset), (size_t) len, flags));
}

/* A 64-bit socket option (SO_NETNS_COOKIE) into out[0]. */
JNIEXPORT jint NATIVE(getsockoptLong)(JNIEnv *env, jclass c, jint fd, jint level, jint name, jlongArray out) {
    (void) c;
    unsigned long long value = 0;
    socklen_t len = sizeof value;
    int r = getsockopt(fd, level, name, &value, &len);
    if (r < 0) {
        return (jint) -errno;
    }
    jlong v = (jlong) value;
    (*env)->SetLongArrayRegion(env, out, 0, 1, &v);
    return 0;
}

/* An ioctl whose argument is a 64-bit value the kernel writes (NS_GET_ID), into out[0]. */
JNIEXPORT jint NATIVE(ioctlLong)(JNIEnv *env, jclass c, jint fd, jlong request, jlongArray out) {
    (void) c;
    unsigned long long value = 0;
    if (ioctl(fd, (unsigned long) request, &value) < 0) {
        return (jint) -errno;
    }
    jlong v = (jlong) value;
    (*env)->SetLongArrayRegion(env, out, 0, 1, &v);
    return 0;
}

JNIEXPORT jint NATIVE(close)(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    return (jint) result(close(fd));
}

JNIEXPORT jint NATIVE(open)(JNIEnv *env, jclass c, jbyteArray path, jint flags, jint mode) {
    (void) c;
    char *p = pin(env, path);
    int r = open(p, flags, (mode_t) mode);
    int e = errno;
    unpin(env, path, p);
    return r < 0 ? -e : r;
}

JNIEXPORT jint NATIVE(flock)(JNIEnv *env, jclass c, jint fd, jint operation) {
    (void) env; (void) c;
    return (jint) result(flock(fd, operation));
}

JNIEXPORT jint NATIVE(setns)(JNIEnv *env, jclass c, jint fd, jint type) {
    (void) env; (void) c;
    return (jint) result(setns(fd, type));
}

JNIEXPORT jint NATIVE(unshare)(JNIEnv *env, jclass c, jint flags) {
    (void) env; (void) c;
    return (jint) result(unshare(flags));
}

JNIEXPORT jint NATIVE(mount)(JNIEnv *env, jclass c, jbyteArray source, jbyteArray target, jbyteArray type, jlong flags,
                             jbyteArray data) {
    (void) c;
    char *s = pin(env, source), *t = pin(env, target), *y = pin(env, type), *d = pin(env, data);
    int r = mount(s, t, y, (unsigned long) flags, d);
    int e = errno;
    unpin(env, data, d);
    unpin(env, type, y);
    unpin(env, target, t);
    unpin(env, source, s);
    return r < 0 ? -e : 0;
}

JNIEXPORT jint NATIVE(umount2)(JNIEnv *env, jclass c, jbyteArray target, jint flags) {
    (void) c;
    char *t = pin(env, target);
    int r = umount2(t, flags);
    int e = errno;
    unpin(env, target, t);
    return r < 0 ? -e : 0;
}

JNIEXPORT jstring NATIVE(strerror)(JNIEnv *env, jclass c, jint errnum) {
    (void) c;
    char buf[256];
    const char *text = strerror_r(errnum, buf, sizeof buf); /* GNU: may return a static string instead of buf */
    return (*env)->NewStringUTF(env, text); /* libc's messages are ASCII */
}

/* libnftables 1.0.x, the functions used: bound once, on first use. */
static struct {
    pthread_once_t once;
    char error[512];
    void *(*ctx_new)(unsigned int flags);
    void (*ctx_free)(void *ctx);
    int (*buffer_output)(void *ctx);
    int (*buffer_error)(void *ctx);
    const char *(*get_output)(void *ctx);
    const char *(*get_error)(void *ctx);
    void (*set_flags)(void *ctx, unsigned int flags);
    int (*run)(void *ctx, const char *buf);
} nft = {.once = PTHREAD_ONCE_INIT};

static void *nft_symbol(void *lib, const char *name) {
    void *f = dlsym(lib, name);
    if (f == NULL && nft.error[0] == '\0') {
        snprintf(nft.error, sizeof nft.error, "libnftables.so.1 has no %s", name);
    }
    return f;
}

static void nft_bind(void) {
    void *lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *why = dlerror();
        snprintf(nft.error, sizeof nft.error, "%s", why != NULL ? why : "dlopen(libnftables.so.1) failed");
        return;
    }
    *(void **) &nft.ctx_new = nft_symbol(lib, "nft_ctx_new");
    *(void **) &nft.ctx_free = nft_symbol(lib, "nft_ctx_free");
    *(void **) &nft.buffer_output = nft_symbol(lib, "nft_ctx_buffer_output");
    *(void **) &nft.buffer_error = nft_symbol(lib, "nft_ctx_buffer_error");
    *(void **) &nft.get_output = nft_symbol(lib, "nft_ctx_get_output_buffer");
    *(void **) &nft.get_error = nft_symbol(lib, "nft_ctx_get_error_buffer");
    *(void **) &nft.set_flags = nft_symbol(lib, "nft_ctx_output_set_flags");
    *(void **) &nft.run = nft_symbol(lib, "nft_run_cmd_from_buffer");
    if (nft.error[0] != '\0') {
        nft.ctx_new = NULL; /* incomplete: unusable */
    }
}

/* Why libnftables cannot be used, or null when it can. */
JNIEXPORT jstring NATIVE(nftUnavailable)(JNIEnv *env, jclass c) {
    (void) c;
    pthread_once(&nft.once, nft_bind);
    return nft.ctx_new != NULL ? NULL : (*env)->NewStringUTF(env, nft.error);
}

/* A new context with its output and errors buffered, in the calling thread's namespace; 0 if none was made. */
JNIEXPORT jlong NATIVE(nftNew)(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    pthread_once(&nft.once, nft_bind);
    if (nft.ctx_new == NULL) {
        return 0;
    }
    void *ctx = nft.ctx_new(0); /* NFT_CTX_DEFAULT */
    if (ctx != NULL) {
        nft.buffer_output(ctx);
        nft.buffer_error(ctx);
    }
    return (jlong) (uintptr_t) ctx;
}

JNIEXPORT void NATIVE(nftFree)(JNIEnv *env, jclass c, jlong ctx) {
    (void) env; (void) c;
    if (ctx != 0 && nft.ctx_free != NULL) {
        nft.ctx_free((void *) (uintptr_t) ctx);
    }
}

static jbyteArray bytes(JNIEnv *env, const char *text) {
    if (text == NULL) {
        return NULL;
    }
    jsize n = (jsize) strlen(text);
    jbyteArray a = (*env)->NewByteArray(env, n);
    if (a != NULL) {
        (*env)->SetByteArrayRegion(env, a, 0, n, (const jbyte *) text);
    }
    return a;
}

/* Runs commands (NUL-terminated UTF-8) with these output flags; out[0] gets the output, out[1] the errors. */
JNIEXPORT jint NATIVE(nftRun)(JNIEnv *env, jclass c, jlong ctx, jint flags, jbyteArray commands, jobjectArray out) {
    (void) c;
    void *p = (void *) (uintptr_t) ctx;
    nft.set_flags(p, (unsigned int) flags);
    char *cmd = pin(env, commands);
    int rc = nft.run(p, cmd);
    unpin(env, commands, cmd);
    jbyteArray o = bytes(env, nft.get_output(p));
    if ((*env)->ExceptionCheck(env)) {
        return rc;
    }
    (*env)->SetObjectArrayElement(env, out, 0, o);
    jbyteArray e = bytes(env, nft.get_error(p));
    if ((*env)->ExceptionCheck(env)) {
        return rc;
    }
    (*env)->SetObjectArrayElement(env, out, 1, e);
    return rc;
}
