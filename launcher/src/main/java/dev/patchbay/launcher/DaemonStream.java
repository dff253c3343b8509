package dev.patchbay.launcher;

import dev.patchbay.host.plugins.CommandProperties;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * A streaming command in the daemon ({@code patchbay events}: its service has {@value #PROPERTY}{@code =true}): its
 * stdout and stderr go to a version 4 client as the command flushes them ({@link DaemonSocket#OUTPUT} frames), and it
 * runs until the client goes away (its thread is then interrupted) or the daemon stops. At most {@value #MAX} run at
 * once (each holds one of the daemon's workers); a version 3 client is refused one (it would see nothing until the end).
 */
final class DaemonStream {
    static final String PROPERTY = CommandProperties.STREAMS;
    static final int MAX = 4;

    private final Semaphore slots = new Semaphore(MAX);
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();

    /** Runs the command for {@code conn}; the reply holds only the exit code (the output went as it came). */
    DaemonSocket.Reply run(DaemonConnection conn, String word, Command command) {
        if (!conn.streams()) {
            return new DaemonSocket.Reply(3, "", "patchbay: " + word + " streams its output as it happens, which this client cannot"
                    + " show (it is older than the daemon): use this release's bin/patchbay, or run with PATCHBAY_DAEMON=off\n");
        }
        if (!slots.tryAcquire()) {
            return new DaemonSocket.Reply(3, "", "patchbay: the daemon already streams to " + MAX + " clients (the most it does at once);"
                    + " stop one, or run with PATCHBAY_DAEMON=off\n");
        }
        Thread self = Thread.currentThread();
        running.add(self);
        try {
            if (!conn.streamOn(self)) {
                return new DaemonSocket.Reply(0, "", "");
            }
            PrintWriter out = new PrintWriter(new Frames(conn, DaemonSocket.STDOUT), true);
            PrintWriter err = new PrintWriter(new Frames(conn, DaemonSocket.STDERR), true);
            int code = command.run(out, err);
            out.flush();
            err.flush();
            return new DaemonSocket.Reply(code, "", "");
        } finally {
            conn.streamOn(null);
            running.remove(self);
            Thread.interrupted(); // the worker is pooled: an interrupt meant for this command must not reach the next
            slots.release();
        }
    }

    /** The daemon stops: every streaming command ends (its client gets its exit code). */
    void stopAll() {
        running.forEach(Thread::interrupt);
    }

    /** The command to run, with the writers it gets. */
    interface Command {
        int run(PrintWriter out, PrintWriter err);
    }

    /** Buffers what is written and sends it as one frame when flushed. */
    private static final class Frames extends Writer {
        private final DaemonConnection conn;
        private final int stream;
        private final StringWriter buffer = new StringWriter();

        Frames(DaemonConnection conn, int stream) {
            this.conn = conn;
            this.stream = stream;
        }

        @Override
        public void write(char[] cbuf, int off, int len) {
            buffer.write(cbuf, off, len);
        }

        @Override
        public void flush() throws IOException {
            StringBuffer b = buffer.getBuffer();
            if (b.length() == 0) {
                return;
            }
            String text = b.toString();
            b.setLength(0);
            if (!conn.output(stream, text)) {
                throw new IOException("the client went away");
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
