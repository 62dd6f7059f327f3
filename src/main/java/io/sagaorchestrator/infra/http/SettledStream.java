package io.sagaorchestrator.infra.http;

import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.stream.BufferOverflowException;
import akka.stream.OverflowStrategy;
import akka.stream.javadsl.Source;
import akka.stream.typed.javadsl.ActorSource;
import io.sagaorchestrator.orchestrator.SagaOutcomes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Server-sent events of sagas as they settle anywhere in the cluster: first {@code subscribed},
 * once the subscription holds for the sagas of this node (the other nodes learn of it within a
 * second or two), then one event per settled saga that {@code toEvent} turns into one. It holds
 * nothing durable: a follower more than {@link #BUFFER} events behind gets a final {@code error}
 * event and is disconnected, never silently skipped. A client that must see every transition,
 * across reconnects, follows {@code GET /events} instead ({@link SagaTransitionStream}).
 */
public final class SettledStream {
  private static final String SUBSCRIBED = "subscribed";
  private static final int BUFFER = 10_000;
  /** Keeps idle connections (and proxies) from timing out the stream. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  private SettledStream() {}

  public static Source<ServerSentEvent, NotUsed> of(ActorRef<SagaOutcomes.Command> outcomes,
      Function<SagaOutcomes.Settled, Optional<ServerSentEvent>> toEvent) {
    return ActorSource.<Object>actorRef(message -> false, message -> Optional.empty(), BUFFER, OverflowStrategy.fail())
        .mapMaterializedValue(follower -> {
          outcomes.tell(new SagaOutcomes.Follow(follower.narrow(), follower.narrow()));
          return NotUsed.getInstance();
        })
        .mapConcat(message -> {
          if (message instanceof Topic.TopicStats) return List.of(ServerSentEvent.create("{}", SUBSCRIBED));
          if (message instanceof SagaOutcomes.Settled settled) return toEvent.apply(settled).map(List::of).orElse(List.of());
          return List.<ServerSentEvent>of();
        })
        .recover(BufferOverflowException.class, () ->
            ServerSentEvent.create(HttpJson.write(Map.of("error", "client too slow: more than " + BUFFER + " events behind")), "error"))
        .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat);
  }
}
