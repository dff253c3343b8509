package dev.patchbay.launcher;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client of the daemon, from its request read to its reply written: the progress bytes a version 3 client gets
 * while it waits, whether the client is still there, and a deadline for writing the reply (a client that does not
 * read it does not hold a worker).
 */
final class DaemonConnection {
    /** A version 3 client gets a progress byte this often while its request waits or runs. */
    static final long BEAT_MS = 2_000;
    /** The longest a reply may take to write. */
    static final long WRITE_DEADLINE_MS = 10_000;

    private final SocketChannel ch;
    private final ScheduledExecutorService timer;
    private final ReentrantLock writing = new ReentrantLock();
    private volatile boolean progress;
    private volatile boolean streams;
    private volatile boolean gone;
    /** The thread running a streaming command: interrupted when the client goes away. */
    private volatile Thread streaming;
    private volatile ScheduledFuture<?> beats;
    private final AtomicReference<Runnable> onDone = new AtomicReference<>();

    DaemonConnection(SocketChannel ch, ScheduledExecutorService timer) {
        this.ch = ch;
        this.timer = timer;
    }

    SocketChannel channel() {
        return ch;
    }

    /** Runs {@code r} once, when the connection is done with (the large-request slot it holds). */
    void onDone(Runnable r) {
        onDone.set(r);
    }

    /**
     * A version 3 client: a progress byte now, and every {@value #BEAT_MS} ms until the reply. {@code streams}: a
     * version 4 client, which takes a streaming command's output as it comes ({@link #output}).
     */
    void startProgress(boolean streams) {
        this.streams = streams;
        progress = true;
        beats = timer.scheduleAtFixedRate(this::beat, 0, BEAT_MS, TimeUnit.MILLISECONDS);
    }

    private void beat() {
        if (!writing.tryLock()) {
            return; // the reply (or a check) is being written: no beat needed
        }
        try {
            if (ch.isOpen()) {
                ch.write(ByteBuffer.wrap(new byte[] {DaemonSocket.PROGRESS}));
            }
        } catch (IOException e) {
            gone();
        } finally {
            writing.unlock();
        }
    }

    /** The client went away: no more beats, and a streaming command stops. */
    private void gone() {
        gone = true;
        stopProgress();
        Thread t = streaming;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Whether the client takes output as it comes (wire version 4). */
    boolean streams() {
        return streams;
    }

    /**
     * The current thread runs a streaming command for this client (null: it is done): interrupted when the client goes
     * away. Returns false, and sets nothing, when it is gone already.
     */
    boolean streamOn(Thread t) {
        streaming = t;
        if (t != null && gone) {
            streaming = null;
            return false;
        }
        return true;
    }

    /** Sends a piece of a streaming command's output now; false when the client is gone (the command then stops). */
    boolean output(int stream, String text) {
        if (gone) {
            return false;
        }
        writing.lock();
        ScheduledFuture<?> deadline = timer.schedule(this::close, WRITE_DEADLINE_MS, TimeUnit.MILLISECONDS); // a client that stopped reading
        try {
            DaemonSocket.writeOutput(new DataOutputStream(Channels.newOutputStream(ch)), stream, text);
            return true;
        } catch (IOException | RuntimeException e) {
            gone();
            return false;
        } finally {
            deadline.cancel(false);
            writing.unlock();
        }
    }

    private void stopProgress() {
        ScheduledFuture<?> b = beats;
        if (b != null) {
            b.cancel(false);
        }
    }

    /**
     * Whether the client went away (it closed its end, or a progress byte could not be written): checked just before
     * the request runs, so that a request whose client gave up (a runtime that killed the shim on its timeout) is not
     * started. A client sends nothing after its request: a byte from it counts as gone too.
     */
    boolean clientGone() {
        if (gone) {
            return true;
        }
        writing.lock();
        try {
            ch.configureBlocking(false);
            int r = ch.read(ByteBuffer.allocate(1));
            ch.configureBlocking(true);
            return r != 0;
        } catch (IOException | RuntimeException e) {
            return true;
        } finally {
            writing.unlock();
        }
    }

    /** Writes the reply (within {@value #WRITE_DEADLINE_MS} ms) and closes. */
    void reply(DaemonSocket.Reply reply) {
        stopProgress();
        writing.lock();
        ScheduledFuture<?> deadline = timer.schedule(this::close, WRITE_DEADLINE_MS, TimeUnit.MILLISECONDS);
        try {
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
            if (progress) {
                DaemonSocket.writeV3(out, reply);
            } else {
                DaemonSocket.write(out, reply);
            }
        } catch (IOException | RuntimeException e) {
            // the client went away; nothing to answer
        } finally {
            deadline.cancel(false);
            writing.unlock();
            close();
        }
    }

    /** Closes without a reply. */
    void close() {
        stopProgress();
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        Runnable r = onDone.getAndSet(null);
        if (r != null) {
            r.run();
        }
    }
}
