package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A streaming command's output goes out as it is flushed; a client that goes away interrupts it; an old client is refused. */
class DaemonStreamTest {
    private ScheduledExecutorService timer;
    private ServerSocketChannel server;
    private SocketChannel client;
    private DaemonConnection conn;

    @BeforeEach
    void connect() throws Exception {
        timer = Executors.newSingleThreadScheduledExecutor();
        Path sock = Files.createTempDirectory("pb-stream").resolve("s.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        client = SocketChannel.open(UnixDomainSocketAddress.of(sock));
        conn = new DaemonConnection(server.accept(), timer);
    }

    @AfterEach
    void close() throws Exception {
        conn.close();
        client.close();
        server.close();
        timer.shutdownNow();
    }

    @Test
    void eachFlushIsAFrameTheClientReadsBeforeTheCommandEnds() throws Exception {
        conn.startProgress(true);
        CountDownLatch read = new CountDownLatch(1);
        CompletableFuture<DaemonSocket.Reply> reply = CompletableFuture.supplyAsync(() -> new DaemonStream().run(conn, "events", (out, err) -> {
            out.println("first");
            err.println("listening");
            try {
                read.await(); // the client has the first line while the command still runs
            } catch (InterruptedException e) {
                return 1;
            }
            return 0;
        }));
        DataInputStream in = new DataInputStream(Channels.newInputStream(client));
        assertEquals(new Frame(DaemonSocket.STDOUT, "first\n"), frame(in));
        assertEquals(new Frame(DaemonSocket.STDERR, "listening\n"), frame(in));
        assertFalse(reply.isDone());
        read.countDown();
        assertEquals(new DaemonSocket.Reply(0, "", ""), reply.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aClientThatGoesAwayInterruptsTheCommand() throws Exception {
        conn.startProgress(true);
        CompletableFuture<DaemonSocket.Reply> reply = CompletableFuture.supplyAsync(() -> new DaemonStream().run(conn, "events", (out, err) -> {
            try {
                new CountDownLatch(1).await(); // runs until interrupted
                return 1;
            } catch (InterruptedException e) {
                return 0;
            }
        }));
        client.close(); // the next progress byte (every 2 s) fails
        assertEquals(0, reply.get(30, TimeUnit.SECONDS).code(), "interrupted once its client was gone");
    }

    @Test
    void aVersion3ClientIsRefused() {
        conn.startProgress(false);
        DaemonSocket.Reply r = new DaemonStream().run(conn, "events", (out, err) -> {
            throw new AssertionError("not run");
        });
        assertEquals(3, r.code());
        assertTrue(r.err().contains("events streams its output"), r.err());
    }

    private record Frame(int stream, String text) {
    }

    /** The next output frame, skipping progress bytes. */
    private static Frame frame(DataInputStream in) throws Exception {
        for (int b = in.read(); ; b = in.read()) {
            if (b == DaemonSocket.OUTPUT) {
                int stream = in.readInt();
                return new Frame(stream, DaemonFrameReader.replyString(in));
            }
            assertEquals(DaemonSocket.PROGRESS, b);
        }
    }
}
