package io.sagaorchestrator.infra.http;

import akka.actor.typed.ActorRef;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import io.sagaorchestrator.infra.http.dto.Dtos.SagaOutcome;
import io.sagaorchestrator.orchestrator.SagaOutcomes;
import java.util.Optional;

/**
 * {@code GET /admin/saga-outcomes[?definition=…]}: a {@link SettledStream} of every definition's
 * sagas (or one definition's), each event a {@code saga}: id, definition, status, reason, time.
 */
public final class SagaOutcomeRoutes extends AllDirectives {
  private static final String SAGA = "saga";

  private final ActorRef<SagaOutcomes.Command> outcomes;

  public SagaOutcomeRoutes(ActorRef<SagaOutcomes.Command> outcomes) {
    this.outcomes = outcomes;
  }

  public Route route() {
    return path("saga-outcomes", () -> get(() -> parameterOptional("definition", definition ->
        completeOK(SettledStream.of(outcomes, settled -> toEvent(settled, definition)), EventStreamMarshalling.toEventStream()))));
  }

  private static Optional<ServerSentEvent> toEvent(SagaOutcomes.Settled settled, Optional<String> definition) {
    if (definition.isPresent() && !definition.get().equals(settled.definition())) return Optional.empty();
    var outcome = new SagaOutcome(settled.sagaId(), settled.definition(), settled.status().name(), settled.reason(), settled.at());
    return Optional.of(ServerSentEvent.create(HttpJson.write(outcome), SAGA));
  }
}
