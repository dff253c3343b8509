package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import dev.patchbay.sys.NetlinkFd;
import static dev.patchbay.netlink.wire.Rtnetlink.*;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.sys.Errno;
import dev.patchbay.netlink.wire.NlDecoder;
import dev.patchbay.netlink.wire.NlEncoder;
import dev.patchbay.netlink.wire.NlMessage;
import dev.patchbay.netlink.wire.NlStruct;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One NETLINK_ROUTE socket, over a {@link NetlinkFd}. It belongs to the namespace of the thread that opened it, for good.
 * Requests carry increasing sequence numbers; replies with other numbers (late answers to an
 * abandoned request) are skipped. All methods are serialised on the socket.
 */
final class NetlinkSocket implements AutoCloseable {
    /**
     * One datagram at most: the kernel sizes dump messages to what the reader asked for, capped at
     * 32 KiB, and acknowledgements are small. Each socket holds one such direct buffer, and the daemon
     * opens a socket in every container namespace it attaches, so keep it small.
     */
    static final int RECV_SIZE = 64 << 10;
    private static final int DUMP_RETRIES = 20; // with a back-off of 0, 1, .. 19 ms: about 0.2 s of churn before giving up
    /** Requests per sendmsg in a batch: their ACKs must fit the receive buffer. */
    static final int BATCH_CHUNK = 256;

    /** Dumps restarted because the kernel flagged them interrupted (for tests and diagnostics). */
    static final java.util.concurrent.atomic.AtomicLong DUMP_RESTARTS = new java.util.concurrent.atomic.AtomicLong();

    private final NetlinkFd fd;
    private final ByteBuffer recv = ByteBuffer.allocateDirect(RECV_SIZE).order(ByteOrder.nativeOrder());
    private final NlEncoder enc = new NlEncoder(4 << 10, true); // grows for batches
    private int seq = (int) (System.nanoTime() & 0x3fffffff);

    /** Writes one complete request message (header included) with the given sequence number. */
    @FunctionalInterface
    interface Request {
        void write(NlEncoder enc, int seq);
    }

    private NetlinkSocket(NetlinkFd fd) {
        this.fd = fd;
    }

    /** Opens a socket in the calling thread's namespace. */
    static NetlinkSocket open() {
        return open(0);
    }

    /**
     * Opens a socket in the calling thread's namespace, subscribed to the multicast {@code groups}
     * (RTMGRP_* bits; 0 for none). A subscribed socket wakes at least every 200 ms (SO_RCVTIMEO) so
     * that its reader can notice a close.
     */
    static NetlinkSocket open(int groups) {
        return new NetlinkSocket(NetlinkFd.open(NETLINK_ROUTE, groups));
    }

    /** Opens a socket of another netlink protocol (e.g. NETLINK_SOCK_DIAG) in the calling thread's namespace. */
    static NetlinkSocket openProtocol(int protocol) {
        return new NetlinkSocket(NetlinkFd.open(protocol, 0));
    }

    private int nextSeq() {
        seq = (seq + 1) & 0x7fffffff;
        return seq == 0 ? ++seq : seq;
    }

    /** Sends one request with NLM_F_ACK set by the writer and waits for its acknowledgement. */
    synchronized void execute(Request request) {
        check();
        int s = nextSeq();
        enc.reset();
        request.write(enc, s);
        send();
        awaitAcks(s, 1, null);
    }

    /**
     * Sends one request (whose writer sets NLM_F_ACK|NLM_F_ECHO), waits for its acknowledgement and
     * returns the objects the kernel echoed before it, mapped (nulls dropped); empty if it echoed none.
     */
    synchronized <T> List<T> executeEcho(Request request, Function<NlMessage, T> mapper) {
        check();
        int s = nextSeq();
        enc.reset();
        request.write(enc, s);
        send();
        List<T> echoed = new ArrayList<>(1);
        while (true) {
            for (NlMessage m : receive()) {
                if (m.header().seq() != s) {
                    continue;
                }
                if (m.type() != NLMSG_ERROR) {
                    T t = mapper.apply(m);
                    if (t != null) {
                        echoed.add(t);
                    }
                    continue;
                }
                NlMessage.NlError e = m.error();
                if (e.errno() != 0) {
                    throw new NetlinkError(e.errno(), e.message());
                }
                return echoed;
            }
        }
    }

    /**
     * Sends many requests, {@link #BATCH_CHUNK} per sendmsg, and collects every answer: the result has
     * one entry per request, {@code null} for success. Only the last request of a chunk asks for an
     * ACK; the kernel reports failures of the others anyway, and in order, so the last ACK closes
     * the chunk.
     */
    synchronized List<NetlinkError> executeAll(List<Request> requests) {
        check();
        List<NetlinkError> results = new ArrayList<>(requests.size());
        for (int from = 0; from < requests.size(); from += BATCH_CHUNK) {
            int to = Math.min(requests.size(), from + BATCH_CHUNK);
            enc.reset();
            int first = nextSeq();
            for (int i = from; i < to; i++) {
                requests.get(i).write(enc, i == from ? first : nextSeq());
                if (i < to - 1) {
                    enc.clearLastFlags(NLM_F_ACK);
                }
            }
            send();
            NetlinkError[] chunk = new NetlinkError[to - from];
            awaitLast(first, to - from, chunk);
            results.addAll(java.util.Arrays.asList(chunk));
        }
        return results;
    }

    private void awaitLast(int firstSeq, int count, NetlinkError[] errors) {
        while (true) {
            for (NlMessage m : receive()) {
                int idx = m.header().seq() - firstSeq;
                if (idx < 0 || idx >= count || m.type() != NLMSG_ERROR) {
                    continue;
                }
                NlMessage.NlError e = m.error();
                if (e.errno() != 0) {
                    errors[idx] = new NetlinkError(e.errno(), e.message());
                }
                if (idx == count - 1) {
                    return;
                }
            }
        }
    }

    /** Sends a request that the kernel answers with one message (e.g. RTM_GETLINK by name); returns it mapped. */
    synchronized <T> T get(Request request, Function<NlMessage, T> mapper) {
        check();
        int s = nextSeq();
        enc.reset();
        request.write(enc, s);
        send();
        while (true) {
            for (NlMessage m : receive()) {
                if (m.header().seq() != s) {
                    continue;
                }
                if (m.type() == NLMSG_ERROR) {
                    NlMessage.NlError e = m.error();
                    if (e.errno() != 0) {
                        throw new NetlinkError(e.errno(), e.message());
                    }
                    continue;
                }
                return mapper.apply(m);
            }
        }
    }

    /**
     * Dumps every object of one kind: RTM_GETxxx with NLM_F_DUMP and the given header struct.
     * A dump the kernel flags as interrupted (NLM_F_DUMP_INTR: the set changed meanwhile) is
     * started again. {@code mapper} may return null to skip a message.
     */
    synchronized <T> List<T> dump(int type, NlStruct header, Function<NlMessage, T> mapper) {
        return dump(type, header, null, mapper);
    }

    /** Like {@link #dump(int, NlStruct, Function)} with request attributes (e.g. IFLA_EXT_MASK). */
    synchronized <T> List<T> dump(int type, NlStruct header, java.util.function.Consumer<NlEncoder> attrs,
                                  Function<NlMessage, T> mapper) {
        check();
        for (int attempt = 0; ; attempt++) {
            int s = nextSeq();
            enc.reset().begin(type, NLM_F_REQUEST | NLM_F_DUMP, s, 0).struct(header);
            if (attrs != null) {
                attrs.accept(enc);
            }
            enc.end();
            send();
            List<T> out = new ArrayList<>();
            boolean interrupted = false;
            boolean done = false;
            while (!done) {
                for (NlMessage m : receive()) {
                    if (m.header().seq() != s) {
                        continue;
                    }
                    interrupted |= (m.header().flags() & NLM_F_DUMP_INTR) != 0;
                    if (m.type() == NLMSG_DONE) {
                        done = true;
                        break;
                    }
                    if (m.type() == NLMSG_ERROR) {
                        NlMessage.NlError e = m.error();
                        if (e.errno() != 0) {
                            throw new NetlinkError(e.errno(), e.message());
                        }
                        continue;
                    }
                    T t = mapper.apply(m);
                    if (t != null) {
                        out.add(t);
                    }
                }
            }
            if (!interrupted) {
                return out;
            }
            DUMP_RESTARTS.incrementAndGet();
            if (attempt >= DUMP_RETRIES) {
                throw new BackendException("netlink dump of type " + type + " was interrupted by concurrent changes "
                        + (DUMP_RETRIES + 1) + " times in a row");
            }
            try {
                Thread.sleep(attempt); // let a burst of changes pass
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while retrying a netlink dump", e);
            }
        }
    }

    private void awaitAcks(int firstSeq, int count, NetlinkError[] errors) {
        int pending = count;
        while (pending > 0) {
            for (NlMessage m : receive()) {
                int idx = m.header().seq() - firstSeq;
                if (idx < 0 || idx >= count || m.type() != NLMSG_ERROR) {
                    continue; // stale answer, or an echoed object
                }
                pending--;
                NlMessage.NlError e = m.error();
                if (e.errno() != 0) {
                    NetlinkError err = new NetlinkError(e.errno(), e.message());
                    if (errors == null) {
                        throw err;
                    }
                    errors[idx] = err;
                }
            }
        }
    }

    private void send() {
        fd.send(enc.buffer());
    }

    private List<NlMessage> receive() {
        while (true) {
            long n = fd.receive(recv);
            if (n >= 0) {
                return NlDecoder.messages(recv, fitting(n));
            }
            if (n != -Errno.EINTR) {
                throw new NetlinkError((int) -n, "recvfrom(netlink)");
            }
        }
    }

    /**
     * For a subscribed socket: the next datagram's messages, or an empty list when none came within
     * the receive timeout. Not synchronised: one reader thread only, and no requests on this socket.
     */
    List<NlMessage> receiveEvents() {
        check();
        long n = fd.receive(recv);
        if (n >= 0) {
            return NlDecoder.messages(recv, fitting(n));
        }
        int errno = (int) -n;
        if (errno == Errno.EINTR || errno == Errno.EAGAIN) {
            return List.of();
        }
        if (errno == Errno.ENOBUFS) { // events were lost; keep going, the listener sees later ones
            return List.of();
        }
        throw new NetlinkError(errno, "recvfrom(netlink events)");
    }

    /** The datagram's length; a datagram larger than the buffer lost its tail, which must not pass silently. */
    static int fitting(long n) {
        if (n > RECV_SIZE) {
            throw new BackendException("a netlink message of " + n + " bytes did not fit the " + RECV_SIZE + "-byte receive buffer");
        }
        return (int) n;
    }

    private void check() {
        fd.checkOpen("netlink socket");
    }

    @Override
    public synchronized void close() {
        fd.close();
    }
}
