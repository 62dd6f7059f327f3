package io.sagaorchestrator.order.http;

import akka.actor.typed.ActorRef;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import io.sagaorchestrator.infra.http.HttpJson;
import io.sagaorchestrator.infra.http.SettledStream;
import io.sagaorchestrator.orchestrator.SagaOutcomes;
import io.sagaorchestrator.order.OrderSaga;
import io.sagaorchestrator.order.OrderStatus;
import io.sagaorchestrator.order.http.OrderDtos.OrderOutcome;
import java.util.Optional;

/**
 * {@code GET /admin/order-outcomes}: a {@link SettledStream} of the order saga's sagas, each event
 * an {@code order} with the order's status, for clients that follow many orders at once; a client
 * that needs every outcome reads {@code GET /orders/{id}} for any it has not seen.
 */
public final class OrderOutcomeRoutes extends AllDirectives {
  private static final String ORDER = "order";

  private final ActorRef<SagaOutcomes.Command> outcomes;

  public OrderOutcomeRoutes(ActorRef<SagaOutcomes.Command> outcomes) {
    this.outcomes = outcomes;
  }

  public Route route() {
    return path("order-outcomes", () -> get(() ->
        completeOK(SettledStream.of(outcomes, OrderOutcomeRoutes::toEvent), EventStreamMarshalling.toEventStream())));
  }

  private static Optional<ServerSentEvent> toEvent(SagaOutcomes.Settled settled) {
    if (!settled.definition().equals(OrderSaga.NAME)) return Optional.empty();
    var outcome = new OrderOutcome(settled.sagaId(), OrderStatus.of(settled.status()), settled.status().name(), settled.reason(),
        settled.at());
    return Optional.of(ServerSentEvent.create(HttpJson.write(outcome), ORDER));
  }
}
