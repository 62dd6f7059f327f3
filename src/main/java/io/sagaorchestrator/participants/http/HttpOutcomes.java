package io.sagaorchestrator.participants.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.orchestrator.StepOutcome;
import java.io.IOException;

/**
 * An HTTP answer as a step outcome (docs/http-participant.md): 2xx applied; 409 and 422 a
 * business refusal; 408, 429 and 5xx transient; any other 4xx a request that can never succeed
 * as sent, so a refusal too; anything else (1xx, 3xx: redirects are not followed) transient.
 */
final class HttpOutcomes {
  static final int MAX_REASON = 200;
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpOutcomes() {}

  static StepOutcome of(int status, String body) {
    if (status >= 200 && status < 300) return new StepOutcome.Succeeded("HTTP " + status);
    String reason = reason(body);
    if (status == 409 || status == 422) return new StepOutcome.Rejected(reason.isEmpty() ? "HTTP " + status : reason);
    String described = "HTTP " + status + (reason.isEmpty() ? "" : ": " + reason);
    if (status == 408 || status == 429 || status >= 500) return new StepOutcome.Failed(described);
    if (status >= 400) return new StepOutcome.Rejected(described);
    return new StepOutcome.Failed("HTTP " + status + ": unexpected status");
  }

  /** The body's {@code reason} or {@code error} when it is a JSON object that has one, else its text; truncated. */
  static String reason(String body) {
    String text = body == null ? "" : body.strip();
    if (text.startsWith("{")) {
      try {
        JsonNode tree = JSON.readTree(text);
        JsonNode reason = tree.hasNonNull("reason") ? tree.get("reason") : tree.get("error");
        if (reason != null && reason.isTextual()) text = reason.asText();
      } catch (IOException notJson) {
        // the text itself is the reason then
      }
    }
    return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "…";
  }
}
