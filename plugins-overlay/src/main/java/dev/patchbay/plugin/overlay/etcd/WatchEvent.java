package dev.patchbay.plugin.overlay.etcd;

/** A change a watch saw: a key put (made or changed) or deleted (a DELETE's value is empty). */
public record WatchEvent(Type type, KeyValue kv) {
    public enum Type { PUT, DELETE }
}
