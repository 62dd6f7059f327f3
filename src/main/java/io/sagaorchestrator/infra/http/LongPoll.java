package io.sagaorchestrator.infra.http;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The {@code waitMs} of a read that may wait for its saga to end or park: {@code GET /orders/{id}}, {@code GET /sagas/{id}}. */
public final class LongPoll {
  /** Below akka.http.server.request-timeout (20 s), which would answer 503 first. */
  public static final Duration MAX_WAIT = Duration.ofSeconds(15);

  private LongPoll() {}

  /** How long the read may wait; zero when {@code waitMs} is absent. A value out of range is a 400 naming it. */
  public static Duration waitFor(Optional<String> waitMs) {
    if (waitMs.isEmpty()) return Duration.ZERO;
    try {
      long millis = Long.parseLong(waitMs.get());
      if (millis >= 0 && millis <= MAX_WAIT.toMillis()) return Duration.ofMillis(millis);
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new HttpJson.BadRequest("waitMs: must be a whole number of milliseconds from 0 to " + MAX_WAIT.toMillis(), List.of("waitMs"));
  }
}
