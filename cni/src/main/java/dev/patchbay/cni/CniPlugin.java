package dev.patchbay.cni;

/** One plugin type Patchbay serves: runs a verb (ADD, DEL, CHECK, GC, STATUS) and returns what goes to stdout. */
interface CniPlugin {
    /**
     * @return the result text, or "" for verbs that print nothing
     * @throws Unserved when this configuration is not one Patchbay serves as this type (the call falls through)
     * @throws CniError or any Patchbay exception, which becomes the error result
     */
    String call(CniCall call, CniContext ctx);
}
