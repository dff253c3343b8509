package dev.patchbay.plugin.overlay.etcd;

import com.google.gson.JsonObject;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * etcd's v3 API over its JSON gateway (etcd 3.4: {@code /v3/kv/*}, {@code /v3/lease/*}, {@code /v3/watch}) with the JDK's
 * HTTP client: no library of its own. Every call tries the endpoints in turn, starting with the last one that answered;
 * when none answers it fails naming them all. Thread-safe.
 */
public final class EtcdClient implements AutoCloseable {
    private final List<URI> endpoints;
    private final Duration timeout;
    private final HttpClient http;
    private volatile int preferred;

    public EtcdClient(List<URI> endpoints, Duration timeout) {
        this(endpoints, timeout, null);
    }

    /** With {@code tls} (null: the JDK's defaults) for {@code https} endpoints. */
    public EtcdClient(List<URI> endpoints, Duration timeout, EtcdTls tls) {
        if (endpoints.isEmpty()) {
            throw new InvalidInputException("etcd", "", "names no endpoint");
        }
        this.endpoints = List.copyOf(endpoints);
        this.timeout = timeout;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout);
        this.http = (tls == null ? b : b.sslContext(tls.context())).build();
    }

    /** Endpoints as {@code --opt etcd=} gives them: URLs separated by commas, each {@code http://HOST:PORT} or {@code https://HOST:PORT}. */
    public static List<URI> endpoints(String option) {
        List<URI> out = new ArrayList<>();
        for (String s : option.split(",")) {
            String t = s.strip();
            URI u;
            try {
                u = URI.create(t.endsWith("/") ? t.substring(0, t.length() - 1) : t);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("opt etcd", t, "is no URL");
            }
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null || (u.getPath() != null && !u.getPath().isEmpty())) {
                throw new InvalidInputException("opt etcd", t, "must be http://HOST:PORT or https://HOST:PORT");
            }
            out.add(u);
        }
        return out;
    }

    public String describe() {
        return String.join(",", endpoints.stream().map(URI::toString).toList());
    }

    /** POSTs {@code body} to {@code path} at the first endpoint that answers; its answer as JSON. */
    JsonObject call(String path, JsonObject body) {
        Exception last = null;
        int start = preferred;
        for (int i = 0; i < endpoints.size(); i++) {
            int at = (start + i) % endpoints.size();
            HttpRequest req = HttpRequest.newBuilder(endpoints.get(at).resolve(path)).timeout(timeout)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() >= 500) { // a member without a leader, say: the next may do
                    last = new IOException("HTTP " + r.statusCode() + ": " + message(r.body()));
                    continue;
                }
                if (r.statusCode() != 200) {
                    throw new BackendException("etcd at " + endpoints.get(at) + " refused " + path + ": " + message(r.body()));
                }
                preferred = at;
                return EtcdJson.parse(r.body());
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while calling etcd at " + describe(), e);
            }
        }
        String why = last == null ? "?" : last.getMessage() != null ? last.getMessage() : last.getClass().getSimpleName()
                .replace("ConnectException", "connection refused").replace("HttpTimeoutException", "timed out");
        throw new UnavailableException("etcd is unreachable at " + describe() + " (" + why + ")", last);
    }

    private static String message(String body) {
        try {
            JsonObject o = EtcdJson.parse(body);
            return o.has("message") ? o.get("message").getAsString() : o.has("error") ? o.get("error").toString() : body;
        } catch (RuntimeException e) {
            return body;
        }
    }

    public Optional<KeyValue> get(String key) {
        return EtcdJson.kvs(call("/v3/kv/range", EtcdJson.range(key, false))).stream().findFirst();
    }

    /** Every key under {@code prefix}, in key order, and the revision they were read at. */
    public Range range(String prefix) {
        JsonObject a = call("/v3/kv/range", EtcdJson.range(prefix, true));
        return new Range(EtcdJson.revision(a), EtcdJson.kvs(a));
    }

    public record Range(long revision, List<KeyValue> kvs) {
    }

    public void put(String key, String value, long lease) {
        call("/v3/kv/put", EtcdJson.put(key, value, lease));
    }

    /** Deletes {@code key} (every key under it with {@code prefix}); the number deleted. */
    public long delete(String key, boolean prefix) {
        return EtcdJson.number(call("/v3/kv/deleterange", EtcdJson.delete(key, prefix)), "deleted");
    }

    /** A transaction: {@code success} if every compare holds, else {@code failure}; the answer (succeeded, responses). */
    public JsonObject txn(List<JsonObject> compares, List<JsonObject> success, List<JsonObject> failure) {
        return call("/v3/kv/txn", EtcdJson.txn(compares, success, failure));
    }

    /** Puts {@code key} unless it exists: true if this call made it. */
    public boolean create(String key, String value, long lease) {
        return EtcdJson.succeeded(txn(List.of(EtcdJson.compare(key, "CREATE", "EQUAL", 0)),
                List.of(EtcdJson.op("request_put", EtcdJson.put(key, value, lease))), List.of()));
    }

    /** A new lease of {@code ttl} seconds; its ID. */
    public long grant(long ttl) {
        JsonObject body = new JsonObject();
        body.addProperty("TTL", Long.toString(ttl));
        JsonObject a = call("/v3/lease/grant", body);
        if (a.has("error") && !a.get("error").getAsString().isEmpty()) {
            throw new BackendException("etcd at " + describe() + " granted no lease: " + a.get("error").getAsString());
        }
        return EtcdJson.number(a, "ID");
    }

    /** Renews {@code lease}; the seconds it has left, 0 when it is gone (expired or revoked). */
    public long keepAlive(long lease) {
        JsonObject result = call("/v3/lease/keepalive", id(lease)).getAsJsonObject("result");
        return Math.max(0, EtcdJson.number(result, "TTL"));
    }

    /** The seconds {@code lease} has left, 0 when it is gone. */
    public long timeToLive(long lease) {
        return Math.max(0, EtcdJson.number(call("/v3/lease/timetolive", id(lease)), "TTL"));
    }

    /** Ends {@code lease} and deletes its keys; a lease already gone is no error. */
    public void revoke(long lease) {
        try {
            call("/v3/lease/revoke", id(lease));
        } catch (BackendException e) {
            if (!e.getMessage().contains("not found")) {
                throw e;
            }
        }
    }

    private static JsonObject id(long lease) {
        JsonObject o = new JsonObject();
        o.addProperty("ID", Long.toString(lease));
        return o;
    }

    /**
     * Watches every key under {@code prefix} from {@code revision} on a thread of its own until closed: each batch of changes
     * goes to {@code listener}. When the stream breaks (an endpoint gone) it opens again, at the next endpoint, from after the
     * last revision seen, once a second; {@code lost} hears each break.
     */
    public AutoCloseable watch(String prefix, long revision, Consumer<List<WatchEvent>> listener, Consumer<Exception> lost) {
        Watch w = new Watch(prefix, revision, listener, lost);
        w.thread.start();
        return w;
    }

    private final class Watch implements AutoCloseable {
        final Thread thread;
        volatile boolean closed;
        volatile InputStream stream;
        long next;

        Watch(String prefix, long revision, Consumer<List<WatchEvent>> listener, Consumer<Exception> lost) {
            next = revision;
            thread = new Thread(() -> {
                int at = preferred;
                while (!closed) {
                    URI endpoint = endpoints.get(at % endpoints.size());
                    try {
                        HttpRequest req = HttpRequest.newBuilder(endpoint.resolve("/v3/watch")).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(EtcdJson.watch(prefix, next).toString())).build();
                        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                        stream = r.body();
                        BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
                        for (String line = in.readLine(); line != null && !closed; line = in.readLine()) {
                            EtcdJson.WatchBatch b = EtcdJson.watchLine(line);
                            if (!b.events().isEmpty()) {
                                next = b.events().get(b.events().size() - 1).kv().modRevision() + 1;
                                listener.accept(b.events());
                            } else if (b.revision() > 0 && next == 0) {
                                next = b.revision() + 1;
                            }
                            if (b.canceled()) {
                                throw new IOException("etcd canceled the watch (compacted?)");
                            }
                        }
                        throw new IOException("the watch stream of " + endpoint + " ended");
                    } catch (Exception e) {
                        if (closed) {
                            return;
                        }
                        lost.accept(e);
                        at++;
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException ie) {
                            return;
                        }
                    }
                }
            }, "etcd-watch " + prefix);
            thread.setDaemon(true);
        }

        @Override
        public void close() {
            closed = true;
            InputStream s = stream;
            thread.interrupt();
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing is all that is wanted
                }
            }
        }
    }

    @Override
    public void close() {
        // HttpClient of Java 17 has no close: its threads end when it is unreachable
    }
}
