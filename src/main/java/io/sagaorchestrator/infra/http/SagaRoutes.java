package io.sagaorchestrator.infra.http;

import static akka.http.javadsl.server.PathMatchers.segment;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import io.sagaorchestrator.infra.http.dto.Dtos.HistoryResponse;
import io.sagaorchestrator.infra.http.dto.Dtos.SagaResponse;
import io.sagaorchestrator.infra.http.dto.Dtos.StepResponse;
import io.sagaorchestrator.orchestrator.SagaEntity;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** {@code /sagas}: a saga's timeline, and the operator's retry of a PARKED saga. */
public final class SagaRoutes extends AllDirectives {
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final int askAttempts;

  public SagaRoutes(ActorSystem<?> system, Duration askTimeout, int askAttempts) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.askAttempts = askAttempts;
  }

  public Route route(java.util.function.Function<Supplier<Route>, Route> adminOnly) {
    return pathPrefix("sagas", () -> concat(
        path(segment(), sagaId -> get(() -> completeWithFuture(PathIds.withValidId(sagaId, this::read)))),
        path(segment().slash("retry"), sagaId -> post(() -> adminOnly.apply(() ->
            completeWithFuture(PathIds.withValidId(sagaId, this::retry)))))));
  }

  private CompletionStage<HttpResponse> read(String sagaId) {
    return IdempotentAsk.retrying(askAttempts, () -> sharding.entityRefFor(SagaEntity.ENTITY_TYPE_KEY, sagaId)
            .askWithStatus(SagaEntity.GetSaga::new, askTimeout))
        .thenApply(summary -> HttpJson.ok(toResponse(summary)))
        .exceptionally(error -> Failures.notFoundOr(error, "saga " + sagaId + " not found"));
  }

  private CompletionStage<HttpResponse> retry(String sagaId) {
    return IdempotentAsk.retrying(askAttempts, () -> sharding.entityRefFor(SagaEntity.ENTITY_TYPE_KEY, sagaId)
            .<SagaEntity.ControlReply>ask(SagaEntity.ResumeSaga::new, askTimeout))
        .thenApply(reply -> switch (reply.result()) {
          case ACCEPTED -> HttpJson.response(StatusCodes.ACCEPTED, Map.of("sagaId", sagaId, "status", reply.status().name()));
          case CONFLICT -> HttpJson.error(StatusCodes.CONFLICT,
              "saga " + sagaId + " is " + reply.status() + "; only a PARKED saga can be retried");
          case NOT_FOUND -> HttpJson.error(StatusCodes.NOT_FOUND, "saga " + sagaId + " not found");
        })
        .exceptionally(error -> Failures.notFoundOr(error, "saga " + sagaId + " not found"));
  }

  static SagaResponse toResponse(SagaEntity.Summary s) {
    return new SagaResponse(
        s.sagaId(),
        s.definition(),
        s.definitionVersion(),
        s.status().name(),
        s.correlationId(),
        s.startedAt(),
        s.endedAt(),
        s.reason(),
        s.steps().stream()
            .map(step -> new StepResponse(step.name(), step.status().name(), step.attempts(), step.lastError(), step.compensationAttempts()))
            .toList(),
        s.history().stream()
            .map(h -> new HistoryResponse(h.seq(), h.at(), h.type(), h.step(), h.detail()))
            .toList());
  }
}
