package io.sagaorchestrator.infra.http.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the node's own HTTP API (sagas, faults, health, errors). Request fields are boxed so that a missing field can be told
 * apart from a zero and named in the error.
 */
public final class Dtos {
  private Dtos() {}

  /** POST /sagas: a saga of {@code definition} over {@code data}; {@code sagaId} is optional. */
  public record StartSagaRequest(String definition, String sagaId, JsonNode data) {}

  /** One event of GET /admin/saga-outcomes: a saga ended (COMPLETED, COMPENSATED) or parked. */
  public record SagaOutcome(String sagaId, String definition, String status, String reason, Instant at) {}

  public record SagaAccepted(String sagaId, String definition, int version) {}

  /** GET /definitions: one per name, with the versions this node can run and the latest's steps. */
  public record DefinitionResponse(String name, List<Integer> versions, List<String> steps, String startedThrough) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SagaResponse(
      String sagaId,
      String definition,
      int definitionVersion,
      String status,
      String correlationId,
      Instant startedAt,
      Instant endedAt,
      String reason,
      List<StepResponse> steps,
      List<HistoryResponse> history) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StepResponse(String name, String status, int attempts, String lastError, int compensationAttempts) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HistoryResponse(long seq, Instant at, String type, String step, String detail) {}

  /** One event of GET /events: what one journal event did to a saga, and the saga's status after it. */
  public record SagaTransition(
      String sagaId, String definition, int definitionVersion, String status, String correlationId, Instant at,
      List<HistoryResponse> entries) {}

  /** GET /sagas: one page, newest first; {@code next} is the cursor of the page after, absent on the last. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SagaListResponse(List<SagaListItem> sagas, String next) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SagaListItem(
      String sagaId,
      String definition,
      int definitionVersion,
      String status,
      String currentStep,
      int attempts,
      boolean stuck,
      String reason,
      String correlationId,
      Instant startedAt,
      Instant updatedAt,
      Instant endedAt) {}

  /** POST /admin/sagas/retry: the parked sagas selected, which are resumed at {@code perSecond}. */
  public record BulkRetryAccepted(int selected, int perSecond, List<String> sagaIds) {}

  /** GET /admin/read-side: this node's projections' lag since it started, in milliseconds. */
  public record ReadSideResponse(boolean enabled, int slices, Map<String, Long> lagMillis) {}

  public record ParticipantFaultsRequest(Double failureRate, Double timeoutRate, Long latencyMs) {}

  public record HealthResponse(String status, Map<String, Boolean> checks) {}

  public record ErrorResponse(String error, List<String> details) {}
}
