package io.sagaorchestrator.infra.http;

import static io.sagaorchestrator.infra.http.PageParameters.bad;
import static io.sagaorchestrator.infra.http.PageParameters.text;

import io.sagaorchestrator.infra.http.dto.Dtos.SagaListItem;
import io.sagaorchestrator.infra.http.dto.Dtos.SagaListResponse;
import io.sagaorchestrator.infra.readside.SagaQuery;
import io.sagaorchestrator.infra.readside.SagaSummaries;
import io.sagaorchestrator.infra.readside.StuckRule;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code GET /sagas}: its query parameters, each checked and named in a 400, and its page as JSON. */
final class SagaListing {
  static final int DEFAULT_LIMIT = 50;
  private static final Set<String> PARAMETERS =
      Set.of("status", "definition", "step", "since", "until", "correlationId", "stuck", "limit", "cursor");
  /** BLOCKED is how a node shows a saga it cannot run, never a stored status, so it is not a filter. */
  private static final List<String> STORED_STATUSES = Arrays.stream(SagaStatus.values())
      .filter(status -> status != SagaStatus.BLOCKED).map(Enum::name).toList();

  private SagaListing() {}

  static SagaQuery query(Map<String, String> parameters, int maxLimit) {
    PageParameters.rejectUnknown(parameters, PARAMETERS, "GET /sagas");
    Optional<SagaStatus> status = text(parameters, "status").map(value -> {
      if (!STORED_STATUSES.contains(value)) throw bad("status", "must be one of " + String.join(", ", STORED_STATUSES));
      return SagaStatus.valueOf(value);
    });
    Optional<Instant> since = instant(parameters, "since");
    Optional<Instant> until = instant(parameters, "until");
    if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
      throw bad("until", "must be after since");
    }
    Optional<Boolean> stuck = text(parameters, "stuck").map(value -> switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad("stuck", "must be true or false");
    });
    int limit = PageParameters.limit(parameters, DEFAULT_LIMIT, maxLimit);
    Optional<SagaQuery.Cursor> cursor = PageParameters.cursor(parameters).map(plain ->
        SagaQuery.Cursor.parse(plain).orElseThrow(PageParameters::badCursor));
    return new SagaQuery(status, text(parameters, "definition"), text(parameters, "step"), since, until,
        text(parameters, "correlationId"), stuck, limit, cursor);
  }

  static SagaListResponse response(SagaSummaries.Page page, StuckRule stuck, Instant now) {
    return new SagaListResponse(page.sagas().stream().map(row -> new SagaListItem(row.sagaId(), row.definition(), row.version(),
            row.status().name(), row.currentStep(), row.attempts(), stuck.isStuck(row, now), row.reason(), row.correlationId(),
            row.startedAt(), row.updatedAt(), row.endedAt())).toList(),
        page.next().map(next -> PageParameters.cursor(next.plain())).orElse(null));
  }

  private static Optional<Instant> instant(Map<String, String> parameters, String name) {
    return text(parameters, name).map(value -> {
      try {
        return Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw bad(name, "must be an ISO-8601 instant such as 2026-12-07T10:15:30Z");
      }
    });
  }
}
