package io.sagaorchestrator.order.http;

import io.sagaorchestrator.infra.http.HttpJson;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.stream.OverflowStrategy;
import akka.stream.javadsl.Source;
import akka.stream.typed.javadsl.ActorSource;
import io.sagaorchestrator.order.http.OrderDtos.OrderOutcome;
import io.sagaorchestrator.order.OrderSaga;
import io.sagaorchestrator.order.OrderStatus;
import io.sagaorchestrator.orchestrator.SagaOutcomes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /admin/order-outcomes}: server-sent events, one per order that ends anywhere in the
 * cluster (or whose saga parks), for clients that follow many orders at once. The first event,
 * {@code subscribed}, comes once the subscription holds for the sagas that run on this node; the
 * other nodes learn of it within a second or two. Delivery is at most once (a follower more than
 * {@link #BUFFER} events behind loses the oldest): a client that needs every outcome reads
 * {@code GET /orders/{id}} for any it has not seen.
 */
public final class OrderOutcomeRoutes extends AllDirectives {
  private static final String SUBSCRIBED = "subscribed";
  private static final String ORDER = "order";
  private static final int BUFFER = 10_000;
  /** Keeps idle connections (and proxies) from timing out the stream. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  private final ActorRef<SagaOutcomes.Command> outcomes;

  public OrderOutcomeRoutes(ActorRef<SagaOutcomes.Command> outcomes) {
    this.outcomes = outcomes;
  }

  public Route route() {
    return path("order-outcomes", () -> get(() -> completeOK(events(), EventStreamMarshalling.toEventStream())));
  }

  private Source<ServerSentEvent, NotUsed> events() {
    return ActorSource.<Object>actorRef(message -> false, message -> Optional.empty(), BUFFER, OverflowStrategy.dropHead())
        .mapMaterializedValue(follower -> {
          outcomes.tell(new SagaOutcomes.Follow(follower.narrow(), follower.narrow()));
          return NotUsed.getInstance();
        })
        .mapConcat(OrderOutcomeRoutes::toEvent)
        .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat);
  }

  private static Iterable<ServerSentEvent> toEvent(Object message) {
    if (message instanceof Topic.TopicStats) return List.of(ServerSentEvent.create("{}", SUBSCRIBED));
    if (message instanceof SagaOutcomes.Settled settled && settled.definition().equals(OrderSaga.NAME)) {
      var outcome = new OrderOutcome(settled.sagaId(), OrderStatus.of(settled.status()), settled.status().name(), settled.reason(),
          settled.at());
      return List.of(ServerSentEvent.create(HttpJson.write(outcome), ORDER));
    }
    return List.of();
  }
}
