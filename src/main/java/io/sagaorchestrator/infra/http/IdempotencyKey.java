package io.sagaorchestrator.infra.http;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import io.sagaorchestrator.CborSerializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One client's {@code Idempotency-Key} for one kind of start ({@code orders}, {@code sagas}): the
 * first request that uses it claims it for the id it starts and the request's fingerprint (its
 * body as the node understood it). A repeat with the same fingerprint is granted the same id, so
 * a retry finds what the first attempt started whatever id it names; another body under the same
 * key is a conflict (docs/design.md §3.2). Without it a key sent with an explicit id was only
 * remembered, not enforced.
 */
public final class IdempotencyKey
    extends EventSourcedBehaviorWithEnforcedReplies<IdempotencyKey.Command, IdempotencyKey.Event, IdempotencyKey.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "IdempotencyKey");

  /** A key is asked once, or again within seconds by a retry: it leaves memory soon after. */
  private static final Duration IDLE_AFTER = Duration.ofSeconds(1);

  public static void init(ActorSystem<?> system) {
    ClusterShardingSettings settings = ClusterShardingSettings.create(system);
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId()))
        .withSettings(settings.withPassivationStrategy(settings.passivationStrategySettings().withIdleEntityPassivation(IDLE_AFTER))));
  }

  public static Behavior<Command> create(String entityId) {
    return Behaviors.setup(context -> {
      context.setLoggerName(IdempotencyKey.class);
      return new IdempotencyKey(entityId);
    });
  }

  /** The entity of {@code key} in {@code scope}: a digest, so any key fits a persistence id. */
  static String entityId(String scope, String key) {
    return scope + "-" + sha256(key);
  }

  /**
   * Claims {@code key} in {@code scope} for {@code resourceId} and a fingerprint of {@code request}
   * (its JSON as the node renders it, digested), asking again after a timeout. Without a key
   * there is nothing to claim: granted.
   */
  public static CompletionStage<ClaimReply> claim(ActorSystem<?> system, String scope, Optional<String> key, String resourceId,
      Object request, Duration askTimeout, int askAttempts) {
    if (key.isEmpty()) return CompletableFuture.completedFuture(new Granted(resourceId));
    String fingerprint = sha256(HttpJson.write(request));
    ClusterSharding sharding = ClusterSharding.get(system);
    return IdempotentAsk.retrying(askAttempts, () -> sharding.entityRefFor(ENTITY_TYPE_KEY, entityId(scope, key.get()))
        .ask(replyTo -> new Claim(resourceId, fingerprint, replyTo), askTimeout));
  }

  /** SHA-256 of {@code text}, in hex. */
  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- protocol -------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  public record Claim(String resourceId, String fingerprint, ActorRef<ClaimReply> replyTo) implements Command {}

  public sealed interface ClaimReply extends CborSerializable {}

  /** Go ahead with {@code resourceId}: the key is this request's, first or again. */
  public record Granted(String resourceId) implements ClaimReply {}

  /** The key was claimed by another request, for {@code resourceId}. */
  public record Conflict(String resourceId) implements ClaimReply {}

  // ---- events ---------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record KeyClaimed(String resourceId, String fingerprint, Instant at) implements Event {}

  // ---- state ----------------------------------------------------------------------------

  /** Unclaimed while {@code resourceId} is null. */
  public record State(String resourceId, String fingerprint) implements CborSerializable {}

  // ---- behaviour ------------------------------------------------------------------------

  private IdempotencyKey(String entityId) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), entityId));
  }

  @Override
  public State emptyState() {
    return new State(null, null);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Claim.class, this::onClaim)
        .build();
  }

  private ReplyEffect<Event, State> onClaim(State state, Claim claim) {
    if (state.resourceId() == null) {
      return Effect().persist(new KeyClaimed(claim.resourceId(), claim.fingerprint(), Instant.now()))
          .thenReply(claim.replyTo(), s -> new Granted(s.resourceId()));
    }
    ClaimReply reply = state.fingerprint().equals(claim.fingerprint()) ? new Granted(state.resourceId()) : new Conflict(state.resourceId());
    return Effect().reply(claim.replyTo(), reply);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(KeyClaimed.class, (s, e) -> new State(e.resourceId(), e.fingerprint()))
        .build();
  }
}
