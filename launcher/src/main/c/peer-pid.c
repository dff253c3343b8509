/*
 * libpatchbay-peer: the pid of a unix socket's peer, from SO_PEERCRED, for the daemon's request log. Java reads the
 * peer's user and group from SO_PEERCRED (jdk.net.ExtendedSocketOptions) but not its pid. JNI reads the channel's file
 * descriptor from its int field fdVal (sun.nio.ch.SocketChannelImpl: JNI field access is not bound by module
 * encapsulation); anything unexpected gives -1, and the log says "pid ?". libc only.
 */
#define _GNU_SOURCE
#include <jni.h>
#include <sys/socket.h>

__attribute__((visibility("default")))
JNIEXPORT jint JNICALL Java_dev_patchbay_launcher_PeerPid_pid(JNIEnv *env, jclass cls, jobject channel) {
    (void) cls;
    if (channel == NULL) {
        return -1;
    }
    jclass type = (*env)->GetObjectClass(env, channel);
    jfieldID field = (*env)->GetFieldID(env, type, "fdVal", "I");
    if (field == NULL) {
        (*env)->ExceptionClear(env); /* NoSuchFieldError: another JDK's channel */
        return -1;
    }
    int fd = (*env)->GetIntField(env, channel, field);
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) {
        return -1;
    }
    return (jint) cred.pid;
}
