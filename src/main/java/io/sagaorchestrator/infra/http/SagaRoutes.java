package io.sagaorchestrator.infra.http;

import static akka.http.javadsl.server.PathMatchers.segment;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import io.sagaorchestrator.infra.http.dto.Dtos.HistoryResponse;
import io.sagaorchestrator.infra.http.dto.Dtos.SagaResponse;
import io.sagaorchestrator.infra.http.dto.Dtos.StepResponse;
import io.sagaorchestrator.infra.http.dto.Dtos.DefinitionResponse;
import io.sagaorchestrator.infra.http.dto.Dtos.ErrorResponse;
import io.sagaorchestrator.infra.http.dto.Dtos.SagaAccepted;
import io.sagaorchestrator.infra.http.dto.Dtos.StartSagaRequest;
import io.sagaorchestrator.infra.readside.ReadSide;
import io.sagaorchestrator.infra.readside.StuckRule;
import io.sagaorchestrator.orchestrator.AskFailures;
import io.sagaorchestrator.orchestrator.Ids;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.SagaDefinitions;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaStep;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code /sagas} for every definition: start one, read its timeline (a long poll with {@code waitMs}),
 * follow it as server-sent events, cancel it, and the operator's retry of a PARKED saga;
 * {@code /definitions}: what this node runs.
 */
public final class SagaRoutes extends AllDirectives {
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  private static final String KEY_SCOPE = "sagas";
  private static final int MAX_IDEMPOTENCY_KEY = 200;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final SagaDefinitions definitions;
  private final ReadSide readSide;
  private final StuckRule stuck;
  private final SagaEventStream events;
  private final SagaTransitionStream transitions;
  private final Admission admission;
  private final Duration askTimeout;
  private final int askAttempts;

  public SagaRoutes(ActorSystem<?> system, SagaDefinitions definitions, ReadSide readSide, StuckRule stuck, SagaEventStream events,
      SagaTransitionStream transitions, Admission admission, Duration askTimeout, int askAttempts) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.definitions = definitions;
    this.readSide = readSide;
    this.stuck = stuck;
    this.events = events;
    this.transitions = transitions;
    this.admission = admission;
    this.askTimeout = askTimeout;
    this.askAttempts = askAttempts;
  }

  public Route route(String correlationId, Function<Supplier<Route>, Route> adminOnly) {
    return concat(
        path("definitions", () -> get(() -> complete(HttpJson.ok(definitionList())))),
        pathPrefix("sagas", () -> sagaRoutes(correlationId, adminOnly)),
        transitions.route());
  }

  private Route sagaRoutes(String correlationId, Function<Supplier<Route>, Route> adminOnly) {
    return concat(
        pathEndOrSingleSlash(() -> concat(
            post(() -> optionalHeaderValueByName(IDEMPOTENCY_KEY, key ->
                entity(Unmarshaller.entityToString(), body -> completeWithFuture(start(body, key, correlationId))))),
            get(() -> parameterMap(parameters -> completeWithFuture(list(parameters)))))),
        path(segment(), sagaId -> get(() -> parameterOptional("waitMs", waitMs ->
            completeWithFuture(PathIds.withValidId(sagaId, id -> read(id, LongPoll.waitFor(waitMs))))))),
        path(segment().slash("events"), events::route),
        path(segment().slash("cancel"), sagaId -> post(() -> completeWithFuture(PathIds.withValidId(sagaId, this::cancel)))),
        path(segment().slash("retry"), sagaId -> post(() -> adminOnly.apply(() ->
            completeWithFuture(PathIds.withValidId(sagaId, this::retry))))));
  }

  /**
   * Starts a saga of any definition a client may start; answers 202 once its start is durable.
   * Without {@code sagaId} the id follows from the {@code Idempotency-Key} (so a retry finds the
   * same saga), else it is new.
   */
  private CompletionStage<HttpResponse> start(String body, Optional<String> idempotencyKey, String correlationId) {
    StartSagaRequest request = HttpJson.read(body, StartSagaRequest.class);
    if (idempotencyKey.isPresent() && (idempotencyKey.get().isBlank() || idempotencyKey.get().length() > MAX_IDEMPOTENCY_KEY)) {
      throw new HttpJson.BadRequest(IDEMPOTENCY_KEY + ": must be 1-" + MAX_IDEMPOTENCY_KEY + " characters", List.of(IDEMPOTENCY_KEY));
    }
    if (request.definition() == null) throw new HttpJson.BadRequest("definition: required", List.of("definition"));
    SagaDefinition<?> definition = definitions.latest(request.definition()).orElseThrow(() -> new HttpJson.BadRequest(
        "definition: this node runs no definition " + request.definition() + " (GET /definitions lists them)", List.of("definition")));
    definitions.startedOnlyThrough(definition.name()).ifPresent(route -> {
      throw new HttpJson.BadRequest("definition: " + definition.name() + " sagas start through " + route, List.of("definition"));
    });
    if (request.sagaId() != null && !Ids.isValid(request.sagaId())) {
      throw new HttpJson.BadRequest("sagaId: must be 1-64 characters of [A-Za-z0-9._-]", List.of("sagaId"));
    }
    if (request.data() == null || !request.data().isObject()) {
      throw new HttpJson.BadRequest("data: required, a JSON object", List.of("data"));
    }
    HttpJson.convert(request.data(), definition.dataType(), "data");
    definition.dataCheck().problems(request.data()).stream().findFirst().ifPresent(problem -> {
      throw new HttpJson.BadRequest("data." + problem.field() + ": " + problem.message(), List.of("data." + problem.field()));
    });
    String sagaId = request.sagaId() != null ? request.sagaId()
        : idempotencyKey.map(SagaRoutes::idFromKey).orElseGet(() -> "s-" + UUID.randomUUID());
    return admission.admitting(() -> admission.refusal(new ErrorResponse(admission.message(), List.of())),
        // The same key with another definition, id or data is a conflict, whichever id the request names.
        () -> IdempotencyKey.claim(system, KEY_SCOPE, idempotencyKey, sagaId, List.of(definition.name(), sagaId, request.data()),
            askTimeout, askAttempts).thenCompose(claim ->
            claim instanceof IdempotencyKey.Conflict conflict
                ? CompletableFuture.completedFuture(HttpJson.error(StatusCodes.CONFLICT,
                    IDEMPOTENCY_KEY + ": already used for saga " + conflict.resourceId() + " with another body"))
                : startSaga(definition, sagaId, request, correlationId)));
  }

  private CompletionStage<HttpResponse> startSaga(SagaDefinition<?> definition, String sagaId, StartSagaRequest request,
      String correlationId) {
    return IdempotentAsk.retrying(askAttempts, () -> sharding.entityRefFor(SagaEntity.ENTITY_TYPE_KEY, sagaId)
            .<Done>askWithStatus(replyTo -> new SagaEntity.StartSaga(definition.name(), request.data(), correlationId, false, replyTo),
                askTimeout))
        .thenApply(done -> HttpJson.response(StatusCodes.ACCEPTED, new SagaAccepted(sagaId, definition.name(), definition.version()))
            .addHeader(Location.create("/sagas/" + sagaId)))
        .exceptionally(error -> {
          if (Failures.isStatusError(error)) return HttpJson.error(StatusCodes.CONFLICT, AskFailures.unwrap(error).getMessage());
          throw Failures.asCompletion(error);
        });
  }

  /** A stable saga id for a client's idempotency key. */
  private static String idFromKey(String key) {
    return "s-" + IdempotencyKey.sha256(key).substring(0, 32);
  }


  private CompletionStage<HttpResponse> cancel(String sagaId) {
    return IdempotentAsk.retrying(askAttempts, () -> sharding.entityRefFor(SagaEntity.ENTITY_TYPE_KEY, sagaId)
            .<SagaEntity.ControlReply>ask(replyTo -> new SagaEntity.CancelSaga("cancelled by client", replyTo), askTimeout))
        .thenApply(reply -> switch (reply.result()) {
          case ACCEPTED -> HttpJson.response(StatusCodes.ACCEPTED, Map.of("sagaId", sagaId, "status", reply.status().name()));
          case CONFLICT -> HttpJson.error(StatusCodes.CONFLICT, "saga " + sagaId + " is " + reply.status() + "; only a RUNNING saga can be cancelled");
          case NOT_FOUND -> HttpJson.error(StatusCodes.NOT_FOUND, "saga " + sagaId + " not found");
        })
        .exceptionally(error -> Failures.notFoundOr(error, "saga " + sagaId + " not found"));
  }

  private List<DefinitionResponse> definitionList() {
    List<DefinitionResponse> list = new ArrayList<>();
    definitions.all().forEach((name, versions) -> list.add(new DefinitionResponse(name,
        versions.stream().map(SagaDefinition::version).toList(),
        versions.get(versions.size() - 1).steps().stream().map(SagaStep::name).toList(),
        definitions.startedOnlyThrough(name).orElse("POST /sagas"))));
    return list;
  }

  private CompletionStage<HttpResponse> list(Map<String, String> parameters) {
    return readSide.sagas()
        .map(sagas -> {
          Instant now = Instant.now();
          return sagas.list(SagaListing.query(parameters, sagas.maxPageSize()), stuck, now)
              .thenApply(page -> HttpJson.ok(SagaListing.response(page, stuck, now)));
        })
        .orElseGet(() -> CompletableFuture.completedFuture(HttpJson.error(StatusCodes.SERVICE_UNAVAILABLE,
            "the read side is off on this node (saga.read-side.enabled); GET /sagas/{id} reads one saga")));
  }

  /**
   * The saga once it has ended or parked, or as it is when {@code wait} is up (or zero). An
   * ended saga is answered from the read side, without waking its entity.
   */
  private CompletionStage<HttpResponse> read(String sagaId, Duration wait) {
    return ReadSideFirst.ended(readSide, sagaId).thenCompose(ended -> {
      if (ended.isPresent()) return CompletableFuture.completedFuture(HttpJson.ok(toResponse(ended.get())));
      CompletionStage<SagaEntity.Summary> summary = wait.isZero() ? summary(sagaId)
          : sharding.entityRefFor(SagaEntity.ENTITY_TYPE_KEY, sagaId)
              .askWithStatus(SagaEntity.AwaitSettled::new, wait)
              .exceptionallyCompose(error -> summary(sagaId));
      return summary
          .thenApply(s -> HttpJson.ok(toResponse(s)))
          .exceptionally(error -> Failures.notFoundOr(error, "saga " + sagaId + " not found"));
    });
  }

  private CompletionStage<SagaEntity.Summary> summary(String sagaId) {
    return IdempotentAsk.retrying(askAttempts, () -> sharding.entityRefFor(SagaEntity.ENTITY_TYPE_KEY, sagaId)
        .askWithStatus(SagaEntity.GetSaga::new, askTimeout));
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
