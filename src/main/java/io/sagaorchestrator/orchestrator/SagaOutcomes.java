package io.sagaorchestrator.orchestrator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.pubsub.Topic;
import io.sagaorchestrator.CborSerializable;
import java.time.Instant;

/**
 * Every saga that ends or parks is announced on one cluster-wide topic, for clients that follow
 * many sagas at once (the outcome stream of the HTTP API) instead of asking each. Delivery is at
 * most once, like any pub-sub: a follower that must see every outcome reads the saga for those it
 * missed. The journal stays the record.
 */
public final class SagaOutcomes {
  private static final String TOPIC = "saga-outcomes";

  private SagaOutcomes() {}

  /** A saga ended (COMPLETED, COMPENSATED) or is PARKED; {@code reason} is the saga's, if any. */
  public record Settled(String sagaId, String definition, SagaEntity.SagaStatus status, String reason, Instant at)
      implements CborSerializable {}

  /** This node's instance of the topic; start it once per node, before the sagas. */
  public static ActorRef<Topic.Command<Settled>> start(ActorSystem<?> system) {
    return system.systemActorOf(Topic.create(Settled.class, TOPIC), TOPIC, Props.empty());
  }
}
