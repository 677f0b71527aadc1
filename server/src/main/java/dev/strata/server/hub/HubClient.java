package dev.strata.server.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.GatewayException.UpstreamFailed;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The hub's HTTP API: {@code GET /api/models/{repo}/tree/{revision}?recursive=true} lists files
 * (with {@code lfs.oid} = sha256 and {@code lfs.size}), {@code GET /{repo}/resolve/{revision}/{path}}
 * serves a file (usually via a redirect to a CDN, followed here, honouring {@code Range}).
 */
public final class HubClient {
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

    private final URI endpoint;
    private final Optional<String> token;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public HubClient(URI endpoint, Optional<String> token, HttpClient http) {
        this.endpoint = URI.create(endpoint.toString().replaceAll("/+$", "") + "/");
        this.token = token;
        this.http = http;
    }

    /** Throws unless {@code repo} looks like {@code org/name}. */
    public static void requireRepo(String repo) {
        if (!REPO.matcher(repo).matches()) {
            throw new IllegalArgumentException("repository must look like ORG/NAME, got '" + repo + "'");
        }
    }

    /** The repository's {@code .gguf} files, in the hub's order. */
    public List<HubFile> ggufFiles(String repo, String revision) {
        requireRepo(repo);
        URI uri = endpoint.resolve("api/models/" + repo + "/tree/" + encode(revision) + "?recursive=true");
        HttpResponse<String> r = send(request(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new UpstreamFailed(repo + " needs access (set HF_TOKEN to a token that can read it): HTTP "
                    + r.statusCode());
        }
        if (r.statusCode() == 404) {
            throw new UpstreamFailed("no repository " + repo + " (revision " + revision + ") on " + endpoint);
        }
        if (r.statusCode() != 200) {
            throw new UpstreamFailed("listing " + repo + " failed: HTTP " + r.statusCode());
        }
        List<HubFile> files = new ArrayList<>();
        try {
            for (JsonNode e : json.readTree(r.body())) {
                String path = e.path("path").asText();
                if (!"file".equals(e.path("type").asText("file")) || !path.toLowerCase().endsWith(".gguf")) {
                    continue;
                }
                JsonNode lfs = e.path("lfs");
                files.add(new HubFile(path, lfs.isObject() ? lfs.path("size").asLong() : e.path("size").asLong(),
                        lfs.isObject() ? lfs.path("oid").asText(null) : null));
            }
        } catch (IOException e) {
            throw new UpstreamFailed("the hub sent an unreadable file list for " + repo + ": " + e.getMessage());
        }
        return files;
    }

    /**
     * Opens {@code file} from byte {@code offset}.
     *
     * @return the response; status 206 when the range was honoured, 200 when the whole file follows
     */
    public HttpResponse<InputStream> open(String repo, String revision, HubFile file, long offset) {
        URI uri = endpoint.resolve(repo + "/resolve/" + encode(revision) + "/" + file.path());
        HttpRequest.Builder b = request(uri).GET();
        if (offset > 0) {
            b.header("Range", "bytes=" + offset + "-");
        }
        HttpResponse<InputStream> r = send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200 && r.statusCode() != 206) {
            try (InputStream ignored = r.body()) {
                throw new UpstreamFailed("downloading " + file.path() + " failed: HTTP " + r.statusCode());
            } catch (IOException e) {
                throw new UpstreamFailed("downloading " + file.path() + " failed: HTTP " + r.statusCode(), e);
            }
        }
        return r;
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .header("User-Agent", "strata");
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new UpstreamFailed("cannot reach " + request.uri().getHost() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamFailed("interrupted", e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
