package io.sagaorchestrator.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * One node's HTTP API as a client sees it: orders, sagas, the admin endpoints (with the bearer
 * token), the audit and the outcome stream. The {@code bench} and {@code audit} commands and the
 * tests all talk to a node through it. Blocking calls suit a test or a one-off command; the bench
 * uses the calls that return a future, so that a few threads keep thousands of orders in flight.
 */
public final class NodeClient {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** How long a call that names no timeout waits for its answer. */
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration READY_PAUSE = Duration.ofMillis(200);

  private final HttpClient http;
  private final URI baseUrl;
  private final String adminToken;

  public NodeClient(HttpClient http, URI baseUrl, String adminToken) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.adminToken = adminToken;
  }

  /** A node on this machine, with a client of its own. */
  public static NodeClient onLoopback(int port, String adminToken) {
    return new NodeClient(newHttpClient().build(), URI.create("http://127.0.0.1:" + port), adminToken);
  }

  /** HTTP/1.1: the node serves no HTTP/2, so the JDK's upgrade attempt would only cost a header. */
  public static HttpClient.Builder newHttpClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10));
  }

  public URI baseUrl() {
    return baseUrl;
  }

  /** A node's answer; the body is read as JSON only when asked. */
  public record Response(int status, String body, HttpHeaders headers) {
    public JsonNode json() {
      if (body == null || body.isBlank()) return MAPPER.nullNode();
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (HTTP " + status + "): " + body, e);
      }
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public String text(String field) {
      JsonNode node = json().get(field);
      return node == null || node.isNull() ? null : node.asText();
    }
  }

  // ---- blocking calls -------------------------------------------------------------------

  /** {@code headers}: name, value, name, value … */
  public Response get(String path, String... headers) {
    HttpRequest.Builder request = request(path, DEFAULT_TIMEOUT).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
    return exchange(request);
  }

  /** {@code headers}: name, value, name, value … */
  public Response post(String path, String json, String... headers) {
    HttpRequest.Builder request = request(path, DEFAULT_TIMEOUT).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    for (int i = 0; i + 1 < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
    return exchange(request);
  }

  public Response adminGet(String path) {
    return exchange(admin(path, DEFAULT_TIMEOUT).GET());
  }

  public Response adminPost(String path, String json) {
    return exchange(adminJson(path, DEFAULT_TIMEOUT).POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Response adminPut(String path, String json) {
    return exchange(adminJson(path, DEFAULT_TIMEOUT).PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** {@code GET /admin/audit}, which may take minutes on a large journal. */
  public AuditResult audit(Duration timeout) {
    return AuditResult.of(exchange(admin("/admin/audit", timeout).GET()));
  }

  // ---- calls that return a future -------------------------------------------------------

  /** {@code POST /orders}. */
  public CompletableFuture<Response> placeOrder(String json, Duration timeout) {
    return exchangeAsync(request("/orders", timeout).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** {@code GET /orders/{id}?waitMs=…}: answered when the order ends, or when the wait is up. */
  public CompletableFuture<Response> awaitOrder(String orderId, Duration wait, Duration timeout) {
    return exchangeAsync(request("/orders/" + orderId + "?waitMs=" + wait.toMillis(), timeout).GET());
  }

  /** {@code POST /sagas}. */
  public CompletableFuture<Response> startSaga(String json, Duration timeout) {
    return exchangeAsync(request("/sagas", timeout).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** {@code GET /sagas/{id}?waitMs=…}: answered when the saga ends or parks, or when the wait is up. */
  public CompletableFuture<Response> awaitSaga(String sagaId, Duration wait, Duration timeout) {
    return exchangeAsync(request("/sagas/" + sagaId + "?waitMs=" + wait.toMillis(), timeout).GET());
  }

  public CompletableFuture<Response> adminPostAsync(String path, String json, Duration timeout) {
    return exchangeAsync(adminJson(path, timeout).POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public CompletableFuture<AuditResult> auditAsync(Duration timeout) {
    return exchangeAsync(admin("/admin/audit", timeout).GET()).thenApply(AuditResult::of);
  }

  /** {@code GET /admin/order-outcomes}: server-sent events, one line at a time, for as long as the node keeps it open. */
  public CompletableFuture<HttpResponse<Stream<String>>> orderOutcomes() {
    HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve("/admin/order-outcomes"))
        .header("Authorization", "Bearer " + adminToken)
        .header("Accept", "text/event-stream")
        .GET()
        .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
  }

  /** Completes once {@code /health/ready} answers 200; fails when it has not within {@code deadline}. */
  public CompletableFuture<Void> awaitReady(Duration deadline) {
    return Polling.until(this::readiness, status -> status == 200, READY_PAUSE, deadline).thenAccept(status -> {
      if (status != 200) throw new IllegalStateException(baseUrl + " is not ready (HTTP " + status + ")");
    });
  }

  /** The HTTP status of {@code /health/ready}, or -1 when the node does not answer. */
  private CompletableFuture<Integer> readiness() {
    return http.sendAsync(request("/health/ready", Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding())
        .handle((response, error) -> error == null ? response.statusCode() : -1);
  }

  // ---- requests -------------------------------------------------------------------------

  private HttpRequest.Builder request(String path, Duration timeout) {
    return HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(timeout);
  }

  private HttpRequest.Builder admin(String path, Duration timeout) {
    return request(path, timeout).header("Authorization", "Bearer " + adminToken);
  }

  private HttpRequest.Builder adminJson(String path, Duration timeout) {
    return admin(path, timeout).header("Content-Type", "application/json");
  }

  private Response exchange(HttpRequest.Builder request) {
    try {
      return response(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + baseUrl, e);
    }
  }

  private CompletableFuture<Response> exchangeAsync(HttpRequest.Builder request) {
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(NodeClient::response);
  }

  private static Response response(HttpResponse<String> response) {
    return new Response(response.statusCode(), response.body(), response.headers());
  }
}
