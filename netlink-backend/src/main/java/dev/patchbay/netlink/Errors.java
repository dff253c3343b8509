package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.sys.Errno;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.NotPermittedException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.NetnsRef;

/** Maps errno answers to the core's typed exceptions, naming the object and the namespace. */
final class Errors {
    private Errors() {
    }

    /**
     * @param verb   {@code create}, {@code delete}, ...
     * @param kind   {@code link}, {@code address}, ...
     * @param name   what the object is called, e.g. {@code veth9} or {@code 10.0.0.1/24 on br0}
     */
    static PatchbayException map(NetlinkError e, String verb, String kind, Object name, NetnsRef netns) {
        String where = netns.describe();
        switch (e.errno()) {
            case Errno.EEXIST:
                return new AlreadyExistsException(kind + " \"" + name + "\" already exists in " + where, e);
            case Errno.ENODEV:
            case Errno.ENOENT:
            case Errno.ESRCH:
            case Errno.EADDRNOTAVAIL:
                return new NotFoundException(kind + " \"" + name + "\" not found in " + where, e);
            case Errno.EPERM:
            case Errno.EACCES:
                return new NotPermittedException("failed to " + verb + " " + kind + " \"" + name + "\" in " + where
                        + ": " + e.getMessage() + " (CAP_NET_ADMIN is needed)", e);
            default:
                return new BackendException("failed to " + verb + " " + kind + " \"" + name + "\" in " + where + ": " + e.getMessage(), e);
        }
    }
}
