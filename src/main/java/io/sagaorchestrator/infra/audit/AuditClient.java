package io.sagaorchestrator.infra.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Calls {@code GET /admin/audit} on a running node: used by the {@code audit} and {@code bench} commands. */
public final class AuditClient {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private AuditClient() {}

  /** The audit's answer as the node sent it: {@code json} is the parsed body. */
  public record Result(int httpStatus, JsonNode json, String rawBody) {
    public boolean ok() {
      return httpStatus == 200 && json.path("ok").asBoolean(false);
    }

    public List<String> violations() {
      List<String> listed = new ArrayList<>();
      json.path("violations").forEach(v -> listed.add(v.asText()));
      return listed;
    }

    public long violationCount() {
      return json.path("violationCount").asLong(violations().size());
    }

    /** Two lines (or more) a person reads: verdict, counts, the first violations. */
    public String describe(int maxViolations) {
      if (httpStatus != 200) {
        return "audit could not run: HTTP " + httpStatus + " " + json.path("error").asText(rawBody);
      }
      StringBuilder text = new StringBuilder();
      text.append(ok() ? "audit ok" : "audit FAILED: " + violationCount() + " violation(s)")
          .append(" — ").append(json.path("eventsRead").asLong()).append(" events read in ")
          .append(json.path("durationMs").asLong()).append(" ms\n")
          .append("  orders: ").append(counts(json.path("orders"))).append('\n')
          .append("  sagas:  ").append(counts(json.path("sagas")));
      List<String> violations = violations();
      for (int i = 0; i < Math.min(maxViolations, violations.size()); i++) text.append("\n  - ").append(violations.get(i));
      if (violationCount() > Math.min(maxViolations, violations.size())) {
        text.append("\n  … and ").append(violationCount() - Math.min(maxViolations, violations.size())).append(" more");
      }
      return text.toString();
    }

    private static String counts(JsonNode counts) {
      List<String> parts = new ArrayList<>();
      counts.fields().forEachRemaining((Map.Entry<String, JsonNode> e) -> parts.add(e.getKey() + " " + e.getValue().asLong()));
      return String.join(", ", parts);
    }
  }

  public static Result fetch(HttpClient http, URI baseUrl, String adminToken, Duration timeout) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve("/admin/audit"))
        .header("Authorization", "Bearer " + adminToken)
        .timeout(timeout)
        .GET()
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    JsonNode json;
    try {
      json = MAPPER.readTree(response.body());
    } catch (IOException e) {
      json = MAPPER.createObjectNode();
    }
    return new Result(response.statusCode(), json == null ? MAPPER.createObjectNode() : json, response.body());
  }
}
