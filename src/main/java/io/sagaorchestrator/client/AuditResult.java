package io.sagaorchestrator.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The answer of {@code GET /admin/audit} as the node sent it: {@code json} is the parsed body, empty when it was not JSON. */
public record AuditResult(int httpStatus, JsonNode json, String rawBody) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static AuditResult of(NodeClient.Response response) {
    JsonNode json;
    try {
      json = response.json();
    } catch (UncheckedIOException e) {
      json = null;
    }
    return new AuditResult(response.status(), json != null && json.isObject() ? json : MAPPER.createObjectNode(), response.body());
  }

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

  /** Sagas still running, compensating or blocked: while there are some, the audit may see a saga half done. */
  public boolean sagasBusy() {
    JsonNode sagas = json.path("sagas");
    return sagas.path("RUNNING").asLong() + sagas.path("COMPENSATING").asLong() + sagas.path("BLOCKED").asLong() > 0;
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
