package io.sagaorchestrator.orchestrator;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.sagaorchestrator.CborSerializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Wakes the sagas that should be running and are not: after a restart, after the node that ran
 * them left the cluster, after their shard moved. One per cluster (a singleton). It follows the
 * event journal, every row in {@code ordering} order (see {@link JournalCursor}), and knows how far
 * it has read and which sagas are open (started, not ended, not parked), each with the last time
 * it made progress. It stores that as a checkpoint at most every {@code checkpointInterval}; after
 * a restart it reads on from the last one. An open saga without progress for
 * {@code stallAfter} is sent {@link SagaEntity.Wake}: a saga that is alive ignores it, one that is
 * not is started by its shard and resumes its step on recovery. When the keeper itself starts,
 * once it has read to the journal's end, it wakes every open saga.
 *
 * <p>It does for sagas what Cluster Sharding's remember-entities would, without writing anything
 * per saga: the saga's own events are the record. Remember-entities cost a quarter of the
 * throughput (two store writes per saga, plus the store's snapshots and deletes).
 *
 * <p>An {@link Announcement} covers the window before a saga's first event: an entity whose
 * event promises a saga of the same id (an order placed) is woken if that saga has not started
 * within {@code stallAfter}, so it can start it.
 */
public final class SagaKeeper extends EventSourcedBehavior<SagaKeeper.Command, SagaKeeper.Event, SagaKeeper.State> {

  public static final String NAME = "saga-keeper";

  /** {@code window}: how many ordering values one read covers. */
  public record Settings(Duration pollInterval, Duration stallAfter, Duration gapTimeout, Duration checkpointInterval, int window,
      int maxWakeupsPerSecond) {}

  /** One journal row, as much of it as the keeper reads. */
  public record JournalRow(long ordering, String persistenceId, String manifest) implements JournalCursor.Ordered, CborSerializable {}

  /** The journal's rows with ordering in (after, windowEnd], read after its highest ordering. */
  public record JournalRead(List<JournalRow> rows, long windowEnd, long maxOrdering) implements CborSerializable {}

  /** Where the keeper reads the journal: rows with ordering above {@code after}, at most {@code window} values. */
  @FunctionalInterface
  public interface JournalTail {
    CompletionStage<JournalRead> read(long after, int window);
  }

  /** An event of {@code entityType} that promises a saga with the same entity id; {@code wake} is told that id. */
  public record Announcement(String entityType, Class<?> event, Consumer<String> wake) {}

  public static void init(ActorSystem<?> system, Settings settings, JournalTail tail, List<Announcement> announcements,
      SagaMetrics metrics) {
    ClusterSingleton.get(system).init(SingletonActor.of(create(settings, tail, announcements, metrics), NAME));
  }

  public static Behavior<Command> create(Settings settings, JournalTail tail, List<Announcement> announcements,
      SagaMetrics metrics) {
    // Any failure restarts it with backoff from its last checkpoint, counted in saga_keeper_starts_total.
    return Behaviors.supervise(Behaviors.<Command>setup(context -> Behaviors.withTimers(timers ->
            new SagaKeeper(settings, tail, announcements, metrics, context, timers))))
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
  }

  // ---- protocol -------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  private enum Poll implements Command { INSTANCE }

  private record Polled(JournalRead read, String error) implements Command {}

  // ---- events and state -----------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  /** The whole of what the keeper knows, as of {@code state.offset()}: the last one is all a restart needs. */
  public record Checkpointed(State state) implements Event {}

  /**
   * {@code offset}: every journal row up to it has been read. {@code open}: saga id to the last
   * time (epoch ms) it made progress or was woken. {@code awaited}: persistence id of an entity
   * that announced a saga not started yet, to the time it did so or was last woken.
   */
  public record State(long offset, Map<String, Long> open, Map<String, Long> awaited) implements CborSerializable {
    public State {
      open = Map.copyOf(open);
      awaited = Map.copyOf(awaited);
    }
  }

  // ---- behaviour ------------------------------------------------------------------------

  private static final String SEPARATOR = "|";
  private static final String SAGA_TYPE = SagaEntity.ENTITY_TYPE_KEY.name();
  private static final String STARTED = SagaEntity.SagaStarted.class.getName();
  private static final String RESUMED = SagaEntity.SagaResumed.class.getName();
  private static final List<String> CLOSING = List.of(
      SagaEntity.LastStepSucceeded.class.getName(), SagaEntity.SagaCompleted.class.getName(),
      SagaEntity.SagaCompensated.class.getName(), SagaEntity.SagaParked.class.getName());

  private final Settings settings;
  private final JournalTail tail;
  private final List<Announcement> announcements;
  private final SagaMetrics metrics;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  // What the keeper knows now; the persisted state lags behind by up to a checkpoint interval.
  private JournalCursor cursor;
  private Map<String, Long> open;
  private Map<String, Long> awaited;
  private long checkpointedAt;
  /** Rows other than the keeper's own checkpoints were read since the last one. */
  private boolean dirty;
  /** Set at start: every open saga is woken once the keeper has read to the journal's end. */
  private boolean wakeAllWhenCaughtUp = true;
  private WakeBudget wakeBudget;

  private SagaKeeper(
      Settings settings, JournalTail tail, List<Announcement> announcements, SagaMetrics metrics, ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(PersistenceId.ofUniqueId(NAME),
        SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    this.settings = settings;
    this.tail = tail;
    this.announcements = announcements;
    this.metrics = metrics;
    this.context = context;
    this.timers = timers;
  }

  @Override
  public State emptyState() {
    return new State(0, Map.of(), Map.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(20, 1).withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          cursor = new JournalCursor(state.offset());
          open = new HashMap<>(state.open());
          awaited = new HashMap<>(state.awaited());
          checkpointedAt = System.currentTimeMillis();
          wakeBudget = new WakeBudget(settings.maxWakeupsPerSecond(), checkpointedAt);
          context.getLog().info("saga keeper started at journal ordering {} with {} open sagas", state.offset(), state.open().size());
          metrics.keeperStarted(state.open().size());
          context.getSelf().tell(Poll.INSTANCE);
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Checkpointed.class, (state, event) -> event.state())
        .build();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Poll.class, this::onPoll)
        .onCommand(Polled.class, this::onPolled)
        .build();
  }

  private Effect<Event, State> onPoll(State state, Poll poll) {
    context.pipeToSelf(tail.read(cursor.offset(), settings.window()), (read, error) ->
        new Polled(read, error == null ? null : AskFailures.messageOf(error)));
    return Effect().none();
  }

  private Effect<Event, State> onPolled(State state, Polled polled) {
    if (polled.error() != null) {
      context.getLog().warn("saga keeper cannot read the journal ({}); trying again in {}", polled.error(), settings.pollInterval());
      metrics.keeperReadFailed();
      timers.startSingleTimer(Poll.INSTANCE, settings.pollInterval());
      return Effect().none();
    }
    long now = System.currentTimeMillis();
    long before = cursor.offset();
    JournalRead read = polled.read();
    for (JournalRow row : cursor.advance(read, now, settings.gapTimeout().toMillis())) follow(row, now);
    metrics.keeperFollowing(open.size());
    boolean moved = cursor.offset() > before;
    boolean caughtUp = cursor.caughtUp(read.maxOrdering());
    if (caughtUp || !moved) {
      wake(now, wakeAllWhenCaughtUp);
      wakeAllWhenCaughtUp = false;
    }
    // Behind and moving: read on at once; otherwise wait for new rows.
    if (moved && !caughtUp) context.getSelf().tell(Poll.INSTANCE);
    else timers.startSingleTimer(Poll.INSTANCE, settings.pollInterval());
    if (!dirty || now - checkpointedAt < settings.checkpointInterval().toMillis()) return Effect().none();
    checkpointedAt = now;
    dirty = false;
    return Effect().persist(new Checkpointed(new State(cursor.offset(), open, awaited)));
  }

  /** What one journal row says about open sagas and awaited starts. */
  private void follow(JournalRow row, long now) {
    if (!row.persistenceId().equals(NAME)) dirty = true;
    String eventClass = eventClass(row.manifest());
    int separator = row.persistenceId().indexOf(SEPARATOR);
    if (separator < 0) return;
    String entityType = row.persistenceId().substring(0, separator);
    String entityId = row.persistenceId().substring(separator + 1);
    if (entityType.equals(SAGA_TYPE)) {
      if (eventClass.equals(STARTED) || eventClass.equals(RESUMED)) {
        open.put(entityId, now);
        for (Announcement a : announcements) awaited.remove(a.entityType() + SEPARATOR + entityId);
      } else if (CLOSING.contains(eventClass)) {
        open.remove(entityId);
      } else {
        open.computeIfPresent(entityId, (id, since) -> now);
      }
      return;
    }
    for (Announcement a : announcements) {
      if (a.entityType().equals(entityType) && a.event().getName().equals(eventClass)) awaited.put(row.persistenceId(), now);
    }
  }

  /** The event's class in a Jackson manifest: an event with a migration is stored as "Class#version". */
  static String eventClass(String manifest) {
    int version = manifest.indexOf('#');
    return version < 0 ? manifest : manifest.substring(0, version);
  }

  /**
   * Wakes open sagas and announcers without progress for stallAfter (with {@code all}: every one,
   * each counted as stalled until it is woken), at most maxWakeupsPerSecond: those left over are
   * still stalled at the next poll.
   */
  private void wake(long now, boolean all) {
    if (all) {
      open.replaceAll((id, since) -> 0L);
      awaited.replaceAll((id, since) -> 0L);
    }
    long stallMillis = settings.stallAfter().toMillis();
    ClusterSharding sharding = ClusterSharding.get(context.getSystem());
    int sagas = 0;
    int deferred = 0;
    for (Map.Entry<String, Long> saga : open.entrySet()) {
      if (now - saga.getValue() < stallMillis) continue;
      if (!wakeBudget.take(now)) {
        deferred++;
        continue;
      }
      sharding.entityRefFor(SagaEntity.ENTITY_TYPE_KEY, saga.getKey()).tell(new SagaEntity.Wake());
      saga.setValue(now);
      sagas++;
    }
    int announcers = 0;
    for (Map.Entry<String, Long> announcer : awaited.entrySet()) {
      if (now - announcer.getValue() < stallMillis) continue;
      if (!wakeBudget.take(now)) {
        deferred++;
        continue;
      }
      String persistenceId = announcer.getKey();
      int separator = persistenceId.indexOf(SEPARATOR);
      for (Announcement a : announcements) {
        if (a.entityType().equals(persistenceId.substring(0, separator))) a.wake().accept(persistenceId.substring(separator + 1));
      }
      announcer.setValue(now);
      announcers++;
    }
    if (sagas > 0 || announcers > 0 || deferred > 0) {
      context.getLog().info("saga keeper woke {} sagas and {} entities awaiting their saga's start ({}){}",
          sagas, announcers, all ? "keeper started" : "no progress for " + settings.stallAfter().toSeconds() + " s",
          deferred == 0 ? "" : "; " + deferred + " more wait for the wake-up limit of " + settings.maxWakeupsPerSecond() + "/s");
    }
  }
}
