package dev.patchbay.cni;

import dev.patchbay.core.errors.PatchbayException;

/**
 * A CNI error result: {@code {"cniVersion","code","msg","details"}} on stdout with a non-zero exit. Codes are the
 * spec's well-known ones (1-7, 11, 50, 51) or Patchbay's own, 100 + the exit code the CLI gives the same failure
 * (101 failure, 102 bad input, 103 environment, 104 internal), as the launcher's {@code CniRequest} documents.
 */
final class CniError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final int INCOMPATIBLE_VERSION = 1;
    static final int UNSUPPORTED_FIELD = 2;
    static final int UNKNOWN_CONTAINER = 3;
    static final int INVALID_ENV = 4;
    static final int IO = 5;
    static final int DECODE = 6;
    static final int INVALID_CONFIG = 7;
    static final int TRY_AGAIN = 11;
    static final int NOT_AVAILABLE = 50;
    static final int LIMITED = 51;
    static final int PATCHBAY = 100;

    private final int code;
    private final String details;

    CniError(int code, String msg, String details) {
        super(msg);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    CniError(int code, String msg) {
        this(code, msg, "");
    }

    int code() {
        return code;
    }

    String details() {
        return details;
    }

    /** A field of the configuration that is wrong: code 7, naming it. */
    static CniError config(String field, Object value, String problem) {
        return new CniError(INVALID_CONFIG, field + ": " + (value == null ? "" : "\"" + value + "\" ") + problem);
    }

    /** The process exit code for a CNI code: Patchbay's codes give back their exit code, the spec's exit 1. */
    static int exitCode(int code) {
        return code > PATCHBAY && code < PATCHBAY + 10 ? code - PATCHBAY : 1;
    }

    /** Any failure as a CNI error: Patchbay's exceptions by their exit code, anything else as an internal error. */
    static CniError of(Throwable t) {
        if (t instanceof CniError e) {
            return e;
        }
        if (t instanceof PatchbayException p) {
            StringBuilder details = new StringBuilder();
            for (Throwable s : p.getSuppressed()) {
                details.append(details.length() == 0 ? "" : "; ").append(s.getMessage());
            }
            return new CniError(PATCHBAY + p.exitCode(), p.getMessage(), details.toString());
        }
        return new CniError(PATCHBAY + 4, "internal error: " + t, "a bug: " + stack(t));
    }

    private static String stack(Throwable t) {
        StringBuilder sb = new StringBuilder();
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < Math.min(6, trace.length); i++) {
            sb.append(i == 0 ? "" : " < ").append(trace[i]);
        }
        return sb.toString();
    }
}
