package dev.patchbay.plugin.overlay.etcd;

/** One key of the store as read: its value, the revisions that made and last changed it, its lease (0: none). */
public record KeyValue(String key, String value, long createRevision, long modRevision, long lease) {
}
