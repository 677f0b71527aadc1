package dev.strata.server.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP plumbing shared by the upstream protocols: a bounded number of requests in flight
 * ({@code max_connections}), the request timeout, status → {@link Failure} mapping with
 * {@code Retry-After}, and reading server-sent events line by line.
 */
final class HttpUpstream {
    /** Called for each SSE event; returns false to stop reading. */
    interface EventHandler {
        boolean onEvent(String event, String data) throws IOException;
    }

    /** A response whose status was 2xx, or the failure it mapped to. */
    sealed interface Reply {
        record Ok(UpstreamResponse response) implements Reply {}
        record Error(BackendResult.Failed failed) implements Reply {}
    }

    private final UpstreamConfig config;
    private final Transport transport;
    private final Semaphore connections;
    private final ObjectMapper json;
    private final Hops hops;

    HttpUpstream(UpstreamConfig config, HttpClient client, ObjectMapper json, Hops hops) {
        this.hops = hops;
        this.config = config;
        this.transport = Transport.of(config, client);
        this.connections = new Semaphore(config.maxConnections());
        this.json = json;
    }

    /** An HTTP client fit for {@code config}: its connect timeout and HTTP version. */
    static HttpClient clientFor(UpstreamConfig config) {
        return HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .version(config.http2() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    ObjectMapper json() {
        return json;
    }

    /** Builds the request of one exchange (while its connection slot is held). */
    @FunctionalInterface
    interface RequestBuilder {
        UpstreamRequest build() throws IOException;
    }

    /** Reads a 2xx answer into the exchange's result. */
    @FunctionalInterface
    interface AnswerReader {
        BackendResult read(UpstreamResponse response) throws IOException;
    }

    /**
     * One exchange under a connection slot: SATURATED when none frees within the connect timeout;
     * the request is built and sent while the slot is held; an error reply becomes its failure and a
     * 2xx answer goes to {@code answer}; interruption becomes CANCELLED and an I/O error DROPPED; the
     * slot is always given back.
     */
    BackendResult exchange(RequestBuilder request, AnswerReader answer) {
        String name = config.name();
        try {
            if (!connections.tryAcquire(config.connectTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                return BackendResult.Failed.of(Failure.SATURATED, "upstream " + name + " has all "
                        + config.maxConnections() + " connections busy", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return BackendResult.Failed.of(Failure.CANCELLED, "interrupted", name);
        }
        try {
            return switch (send(request.build())) {
                case Reply.Error e -> e.failed();
                case Reply.Ok ok -> answer.read(ok.response());
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return BackendResult.Failed.of(Failure.CANCELLED, "interrupted", name);
        } catch (IOException e) {
            return BackendResult.Failed.of(Failure.DROPPED, "upstream " + name + " failed: " + e, name);
        } finally {
            connections.release();
        }
    }

    UpstreamRequest post(String path, ObjectNode body) throws IOException {
        return post(path, json.writeValueAsBytes(body));
    }

    /** A JSON POST of {@code body}, already serialised. */
    UpstreamRequest post(String path, byte[] body) {
        return new UpstreamRequest("POST", config.resolve(path), java.util.List.of("content-type", "application/json",
                Hops.HEADER, hops.outgoing()), body, config.requestTimeout());
    }

    UpstreamRequest get(String path, java.time.Duration timeout) {
        return new UpstreamRequest("GET", config.resolve(path), java.util.List.of(), null, timeout);
    }

    Reply send(UpstreamRequest request) throws InterruptedException {
        UpstreamResponse response;
        try {
            response = transport.send(request);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return new Reply.Error(BackendResult.Failed.of(Failure.CONNECT, "cannot connect to upstream "
                    + config.name() + ": " + e.getMessage(), config.name()));
        } catch (HttpTimeoutException e) {
            return new Reply.Error(BackendResult.Failed.of(Failure.TIMEOUT, "upstream " + config.name()
                    + " did not answer within " + config.requestTimeout().toMillis() + " ms", config.name()));
        } catch (IOException e) {
            return new Reply.Error(BackendResult.Failed.of(Failure.DROPPED, "upstream " + config.name()
                    + " failed: " + e, config.name()));
        }
        int status = response.status();
        if (status / 100 == 2) {
            return new Reply.Ok(response);
        }
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readNBytes(8192), StandardCharsets.UTF_8);
        } catch (IOException e) {
            body = "";
        }
        Failure failure = status == 429 ? Failure.RATE_LIMITED
                : status == 508 ? Failure.CLIENT_ERROR // a routing loop: no retry or fallback mends it
                : status == 408 ? Failure.TIMEOUT
                : status >= 500 ? Failure.SERVER_ERROR : Failure.CLIENT_ERROR;
        return new Reply.Error(new BackendResult.Failed(failure, status, "upstream " + config.name() + " answered "
                + status + ": " + errorMessage(body), retryAfterMillis(response), false, config.name()));
    }

    /** The upstream's own error message when its body is an OpenAI/Anthropic error object. */
    private String errorMessage(String body) {
        try {
            var node = json.readTree(body);
            if (node != null && node.path("error").path("message").isTextual()) {
                return node.path("error").path("message").asText();
            }
        } catch (IOException e) {
            // not JSON: fall through to the raw text
        }
        return body.length() > 200 ? body.substring(0, 200) : body;
    }

    /** {@code retry-after-ms} (OpenAI, Anthropic) or {@code Retry-After} in seconds; -1 when absent. */
    static long retryAfterMillis(UpstreamResponse response) {
        var ms = response.header("retry-after-ms");
        if (ms.isPresent()) {
            try {
                return (long) Double.parseDouble(ms.get());
            } catch (NumberFormatException e) {
                // fall through to Retry-After
            }
        }
        var seconds = response.header("retry-after");
        if (seconds.isPresent()) {
            try {
                return (long) (Double.parseDouble(seconds.get()) * 1000);
            } catch (NumberFormatException e) {
                return -1; // an HTTP-date: treated as absent
            }
        }
        return -1;
    }

    /**
     * Reads {@code in} as server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html),
     * calling {@code handler} per event.
     *
     * @return true when the handler stopped the stream, false at end of input
     */
    static boolean readEvents(InputStream in, EventHandler handler) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String event = null;
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    if (!handler.onEvent(event, data.toString())) {
                        return true;
                    }
                }
                event = null;
                data.setLength(0);
            } else if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                if (!data.isEmpty()) {
                    data.append('\n');
                }
                data.append(line.substring(5).stripLeading());
            }
        }
        return false;
    }
}
