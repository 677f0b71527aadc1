package dev.strata.server.backend;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@link Transport} over the JDK's {@link HttpClient}: TLS (ALPN) and HTTP/2 upstreams. */
final class JdkTransport implements Transport {
    private final HttpClient client;

    JdkTransport(HttpClient client) {
        this.client = client;
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(request.timeout());
        List<String> headers = request.headers();
        for (int i = 0; i < headers.size(); i += 2) {
            builder.header(headers.get(i), headers.get(i + 1));
        }
        builder.method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        HttpResponse<InputStream> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        Map<String, String> first = new HashMap<>();
        response.headers().map().forEach((name, values) -> {
            if (!values.isEmpty()) {
                first.put(name.toLowerCase(Locale.ROOT), values.getFirst());
            }
        });
        return new UpstreamResponse(response.statusCode(), first, response.body());
    }
}
