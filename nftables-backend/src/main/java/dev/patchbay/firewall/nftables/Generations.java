package dev.patchbay.firewall.nftables;

/**
 * When a context's view of the table may be trusted without reading it again: the view was read and found whole
 * (every recorded owner held), and the nf_tables generation it was read at plus this context's own commits since is
 * the generation now. Anyone else's commit (an {@code nft flush}, iptables-nft, another process) makes the sum fall
 * short, and so does a commit of ours that was not counted: then the table is read again. Pure bookkeeping; the
 * caller asks the kernel.
 */
final class Generations {
    /** The generation the view was read at, or last confirmed at; -1: none, read before trusting. */
    private long known = -1;
    /** This context's commits counted when {@link #known} was set. */
    private long base;
    /** The view read at {@link #known} held every recorded owner whole. */
    private boolean whole;

    /** The view was just read; the generation was {@code gen} before the read, {@code commits} this context's commits so far. */
    void read(long gen, long commits) {
        known = gen;
        base = commits;
        whole = false;
    }

    /** The view just read was compared with the records and found whole. */
    void whole() {
        whole = known >= 0;
    }

    /**
     * Whether the view is whole and nothing but this context's own {@code commits} (its running count) changed the
     * ruleset since it was read: generation {@code gen} is the known one plus those. If so, {@code gen} becomes the
     * known one.
     */
    boolean unchanged(long gen, long commits) {
        if (!whole || known < 0 || gen != ((known + commits - base) & 0xffffffffL)) {
            return false;
        }
        known = gen;
        base = commits;
        return true;
    }

    /** Nothing is known: the next check reads the table. */
    void forget() {
        known = -1;
        whole = false;
    }
}
