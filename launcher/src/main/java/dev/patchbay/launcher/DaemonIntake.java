package dev.patchbay.launcher;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Reads the daemon's requests off its worker pool, so that a slow or silent client delays nobody: each connection is
 * read by a thread of its own (small stack, at most {@value #MAX_READERS} at once; a connection past that is closed at
 * once), within {@value #READ_DEADLINE_MS} ms of being accepted (then it is closed without a reply), and only a request
 * read whole goes on to the workers. A frame past {@value DaemonFrameReader#SMALL} bytes waits for one of
 * {@value #LARGE_SLOTS} slots before the rest of it is read, and holds it until its reply: the daemon's heap (24 MB)
 * holds a few configurations of {@link CniRequest#MAX_CONFIG} being parsed, not sixteen. The read deadline does not
 * run while a frame waits for a slot; a version 3 client gets its progress bytes meanwhile.
 */
final class DaemonIntake {
    static final int MAX_READERS = 128;
    static final long READ_DEADLINE_MS = 10_000;
    static final int LARGE_SLOTS = 2;

    private final ScheduledExecutorService timer;
    private final BiConsumer<DaemonConnection, DaemonSocket.Call> dispatch;
    private final Semaphore readers = new Semaphore(MAX_READERS);
    private final Semaphore large = new Semaphore(LARGE_SLOTS);

    /** {@code dispatch} gets each request read whole, with its connection (to reply on, or close). */
    DaemonIntake(ScheduledExecutorService timer, BiConsumer<DaemonConnection, DaemonSocket.Call> dispatch) {
        this.timer = timer;
        this.dispatch = dispatch;
    }

    /** How many connections are being read now. */
    int reading() {
        return MAX_READERS - readers.availablePermits();
    }

    /** Reads the request of a connection just accepted, on a thread of its own. */
    void accept(SocketChannel ch) {
        if (!readers.tryAcquire()) {
            closeQuietly(ch);
            return;
        }
        try {
            Thread t = new Thread(null, () -> {
                try {
                    read(ch);
                } finally {
                    readers.release();
                }
            }, "patchbay-read", 256 << 10);
            t.setDaemon(true);
            t.start();
        } catch (RuntimeException | OutOfMemoryError e) { // no thread to be had: this client is not served
            readers.release();
            closeQuietly(ch);
        }
    }

    private void read(SocketChannel ch) {
        DaemonConnection conn = new DaemonConnection(ch, timer);
        Deadline deadline = new Deadline(conn);
        DaemonSocket.Call call;
        try {
            call = DaemonFrameReader.read(new DataInputStream(Channels.newInputStream(ch)), new DaemonFrameReader.Hooks() {
                @Override
                public void version(int version) {
                    if (version >= 3) {
                        conn.startProgress(version >= 4);
                    }
                }

                @Override
                public void large() throws IOException {
                    deadline.pause();
                    try {
                        large.acquire();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                    conn.onDone(large::release);
                    deadline.resume();
                }
            });
        } catch (DaemonFrameReader.TooLarge e) {
            deadline.pause();
            conn.reply(e.cni && e.config ? CniRequest.tooLarge(new byte[0])
                    : e.cni ? CniRequest.asCniReply(2, "", "patchbay: " + e.getMessage() + "\n", new byte[0])
                    : new DaemonSocket.Reply(2, "", "patchbay: " + e.getMessage() + "\n"));
            return;
        } catch (IOException | RuntimeException e) {
            deadline.pause();
            conn.close(); // cut short, past its deadline, or not a request
            return;
        }
        deadline.pause();
        dispatch.accept(conn, call);
    }

    /** Closes the connection when its request is not read in time; paused while it waits for a large slot. */
    private final class Deadline {
        private final DaemonConnection conn;
        private ScheduledFuture<?> closing;

        Deadline(DaemonConnection conn) {
            this.conn = conn;
            resume();
        }

        synchronized void pause() {
            if (closing != null) {
                closing.cancel(false);
                closing = null;
            }
        }

        synchronized void resume() {
            closing = timer.schedule(conn::close, READ_DEADLINE_MS, TimeUnit.MILLISECONDS);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
