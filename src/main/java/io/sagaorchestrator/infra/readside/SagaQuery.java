package io.sagaorchestrator.infra.readside;

import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * A filter over the saga summaries, newest first, and where its page starts. {@code cursor} is
 * the last saga of the page before: keyset pagination, so sagas started meanwhile neither shift
 * nor repeat a page.
 */
public record SagaQuery(
    Optional<SagaStatus> status,
    Optional<String> definition,
    Optional<String> step,
    Optional<Instant> since,
    Optional<Instant> until,
    Optional<String> correlationId,
    int limit,
    Optional<Cursor> cursor) {

  /** The position after which a page starts: the last saga shown, by start time and id. */
  public record Cursor(Instant startedAt, String sagaId) {
    public String encode() {
      String plain = startedAt + "|" + sagaId;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor {@link #encode} gave, or empty for anything else. */
    public static Optional<Cursor> decode(String text) {
      try {
        String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        int bar = plain.indexOf('|');
        if (bar < 0 || bar == plain.length() - 1) return Optional.empty();
        return Optional.of(new Cursor(Instant.parse(plain.substring(0, bar)), plain.substring(bar + 1)));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }
  }
}
