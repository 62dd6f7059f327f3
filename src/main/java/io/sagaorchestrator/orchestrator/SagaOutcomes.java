package io.sagaorchestrator.orchestrator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import io.sagaorchestrator.CborSerializable;
import java.time.Duration;
import java.time.Instant;

/**
 * Every saga that ends or parks is announced on one cluster-wide topic, for clients that follow
 * many sagas at once (the outcome stream of the HTTP API) instead of asking each. Delivery is at
 * most once, like any pub-sub: a follower that must see every outcome reads the saga for those it
 * missed. The journal stays the record.
 *
 * <p>One relay per node passes its sagas' outcomes to the topic only while someone, on any node,
 * follows it: a topic without subscribers hands each message to dead letters, which would cost
 * every saga a dead letter and fill the log with them.
 */
public final class SagaOutcomes {
  private static final String TOPIC = "saga-outcomes";
  /** How often the relay asks the topic whether anyone follows; a new follower on this node counts at once. */
  private static final Duration COUNT_EVERY = Duration.ofSeconds(1);

  private SagaOutcomes() {}

  /** A saga ended (COMPLETED, COMPENSATED) or is PARKED; {@code reason} is the saga's, if any. */
  public record Settled(String sagaId, String definition, SagaEntity.SagaStatus status, String reason, Instant at)
      implements CborSerializable {}

  /** Messages to this node's relay; they stay on the node (only {@link Settled} crosses, through the topic). */
  public sealed interface Command extends CborSerializable {}

  /** From a saga on this node. */
  public record Announce(Settled outcome) implements Command {}

  /**
   * {@code follower} gets every outcome from now on, until it stops; {@code subscribed} is told
   * once that holds for the sagas of this node (other nodes' topics learn of it a moment later).
   */
  public record Follow(ActorRef<Settled> follower, ActorRef<Topic.TopicStats> subscribed) implements Command {}

  private enum CountFollowers implements Command { INSTANCE }

  private record Counted(Topic.TopicStats stats) implements Command {}

  /** Start it once per node, before the sagas. */
  public static ActorRef<Command> start(ActorSystem<?> system) {
    return system.systemActorOf(relay(), TOPIC, Props.empty());
  }

  private static Behavior<Command> relay() {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ActorRef<Topic.Command<Settled>> topic = context.spawn(Topic.create(Settled.class, TOPIC), "topic");
      ActorRef<Topic.TopicStats> counted = context.messageAdapter(Topic.TopicStats.class, Counted::new);
      timers.startTimerWithFixedDelay(CountFollowers.INSTANCE, COUNT_EVERY);
      return relaying(topic, counted, new Followers(false, 0, 0));
    }));
  }

  /**
   * {@code followed}: the last count found a follower here or a topic elsewhere that has one.
   * Counts are answered in the order asked, so those asked before the latest Follow are
   * {@code stale} and must not turn {@code followed} off.
   */
  private record Followers(boolean followed, int asked, int stale) {}

  private static Behavior<Command> relaying(ActorRef<Topic.Command<Settled>> topic, ActorRef<Topic.TopicStats> counted,
      Followers followers) {
    return Behaviors.receive(Command.class)
        .onMessage(Announce.class, announce -> {
          if (followers.followed()) topic.tell(Topic.publish(announce.outcome()));
          return Behaviors.same();
        })
        .onMessage(Follow.class, follow -> {
          topic.tell(Topic.subscribe(follow.follower()));
          topic.tell(Topic.getTopicStats(follow.subscribed()));
          return relaying(topic, counted, new Followers(true, followers.asked(), followers.asked()));
        })
        .onMessage(CountFollowers.class, count -> {
          topic.tell(Topic.getTopicStats(counted));
          return relaying(topic, counted, new Followers(followers.followed(), followers.asked() + 1, followers.stale()));
        })
        .onMessage(Counted.class, answer -> {
          if (followers.stale() > 0) {
            return relaying(topic, counted, new Followers(followers.followed(), followers.asked() - 1, followers.stale() - 1));
          }
          boolean followed = answer.stats().localSubscriberCount() > 0 || answer.stats().topicInstanceCount() > 0;
          return relaying(topic, counted, new Followers(followed, followers.asked() - 1, 0));
        })
        .build();
  }
}
