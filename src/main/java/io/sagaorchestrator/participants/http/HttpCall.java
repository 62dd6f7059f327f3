package io.sagaorchestrator.participants.http;

import java.util.Map;
import java.util.Objects;

/**
 * The request one step attempt sends, before the participant adds the saga's headers
 * ({@code Idempotency-Key}, {@code X-Correlation-Id}, {@code X-Saga-Not-After}, {@code X-Saga-Attempt}).
 * {@code url} is absolute, or a path resolved against the participant's {@code base-url};
 * {@code body} is null for none, sent as {@code contentType}.
 */
public record HttpCall(String method, String url, Map<String, String> headers, String body, String contentType) {
  static final String JSON = "application/json";

  public HttpCall {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(url, "url");
    headers = Map.copyOf(headers);
  }

  public static HttpCall post(String url, String jsonBody) {
    return new HttpCall("POST", url, Map.of(), jsonBody, JSON);
  }

  public static HttpCall put(String url, String jsonBody) {
    return new HttpCall("PUT", url, Map.of(), jsonBody, JSON);
  }

  public static HttpCall delete(String url) {
    return new HttpCall("DELETE", url, Map.of(), null, null);
  }
}
