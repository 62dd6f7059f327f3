package io.sagaorchestrator.infra.readside;

import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A filter over the saga summaries, newest first, and where its page starts. {@code stuck}
 * selects sagas by {@link StuckRule} at the time of the query. {@code cursor} is
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
    Optional<Boolean> stuck,
    int limit,
    Optional<Cursor> cursor) {

  /** The same filter, from the page after {@code cursor}. */
  public SagaQuery after(Cursor next) {
    return new SagaQuery(status, definition, step, since, until, correlationId, stuck, limit, Optional.of(next));
  }

  /** The position after which a page starts: the last saga shown, by start time and id. */
  public record Cursor(Instant startedAt, String sagaId) {
    public String plain() {
      return startedAt + "|" + sagaId;
    }

    /** The cursor {@link #plain} gave, or empty for anything else. */
    public static Optional<Cursor> parse(String plain) {
      int bar = plain.indexOf('|');
      if (bar < 0 || bar == plain.length() - 1) return Optional.empty();
      try {
        return Optional.of(new Cursor(Instant.parse(plain.substring(0, bar)), plain.substring(bar + 1)));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
  }
}
