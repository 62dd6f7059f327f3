package io.sagaorchestrator.testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.SagaDefinitions;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaOutcomes;
import java.time.Duration;
import java.util.UUID;

/**
 * Runs sagas of your own {@link SagaDefinition}s in a test: the real engine ({@link SagaEntity}),
 * an in-memory journal, and a clock that moves only when the test says so ({@link #timePasses}),
 * so step timeouts, retry backoffs and deadlines happen exactly when asked. Participants are
 * your real {@link io.sagaorchestrator.orchestrator.StepAction}s or {@link TestParticipant}s the
 * test answers. Every message and event goes through serialization, as between nodes.
 *
 * <pre>{@code
 * try (SagaTestKit kit = SagaTestKit.create()) {
 *   TestParticipant<Trip> hotel = kit.participant("hotel");
 *   TestParticipant<Trip> cancelHotel = kit.participant("cancel-hotel");
 *   SagaDefinition<Trip> trip = SagaDefinition.builder("trip", 1, Trip.class)
 *       .step("hotel", step -> step.action(hotel).compensation(cancelHotel).retry(RetryPolicy.exponential(3, Duration.ofMillis(100), Duration.ofSeconds(1), 0)).timeout(Duration.ofSeconds(5)))
 *       .build();
 *   SagaRun saga = kit.start(trip, new Trip("t-1"));
 *   hotel.expectCall().reject("full");
 *   cancelHotel.expectCall().succeed();
 *   saga.awaitStatus(SagaStatus.COMPENSATED);
 *   assertEquals(List.of("SagaStarted", "StepRejected", "CompensationStarted", "StepCompensated", "SagaCompensated"),
 *       saga.eventNames());
 * }
 * }</pre>
 *
 * <p>Your test needs {@code akka-actor-testkit-typed} and {@code akka-persistence-testkit} (the
 * jar's Akka version), test-scoped: the jar declares them optional, and the node's fat jar leaves
 * them out.
 */
public final class SagaTestKit implements AutoCloseable {
  /** How long the kit waits, on the wall clock, for what the engine does on its own. */
  static final Duration WAIT = Duration.ofSeconds(5);
  private static final SagaEntity.EngineSettings ENGINE = new SagaEntity.EngineSettings(Duration.ofMinutes(10));

  private final ActorTestKit testKit;
  private final ManualTime clock;
  private final PersistenceTestKit journal;

  private SagaTestKit(ActorTestKit testKit) {
    this.testKit = testKit;
    this.clock = ManualTime.get(testKit.system());
    this.journal = PersistenceTestKit.create(testKit.system());
  }

  public static SagaTestKit create() {
    return create(ConfigFactory.empty());
  }

  /** {@code config} is laid over the kit's own (in-memory journal, manual clock, serialization on). */
  public static SagaTestKit create(Config config) {
    Config kit = ConfigFactory.parseString("akka.actor.serialize-messages = on\nakka.loglevel = INFO")
        .withFallback(ManualTime.config())
        .withFallback(PersistenceTestKitPlugin.getInstance().config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.parseResources("saga-serialization.conf"));
    return new SagaTestKit(ActorTestKit.create("saga-test-kit", config.withFallback(kit)));
  }

  /** A participant named {@code name} (for messages) whose calls the test answers. */
  public <D> TestParticipant<D> participant(String name) {
    return new TestParticipant<>(name);
  }

  /** Starts a saga of {@code definition} on a node that has only that definition. */
  public <D> SagaRun start(SagaDefinition<D> definition, D data) {
    return start(new SagaDefinitions().register(definition), definition.name(), data);
  }

  /** Starts a saga of the latest version of {@code definition} on a node with {@code definitions}. */
  public SagaRun start(SagaDefinitions definitions, String definition, Object data) {
    SagaRun run = new SagaRun(this, "saga-" + UUID.randomUUID());
    run.startOn(definitions, definition, data);
    return run;
  }

  /** Moves the engine's clock: timers due by then fire (step timeouts, retries, deadlines). */
  public void timePasses(Duration amount) {
    clock.timePasses(amount);
  }

  @Override
  public void close() {
    testKit.shutdownTestKit();
  }

  ActorTestKit actors() {
    return testKit;
  }

  PersistenceTestKit journal() {
    return journal;
  }

  /** The engine of one node, as sharding would start it: passivation and outcomes go to probes nobody reads. */
  akka.actor.typed.Behavior<SagaEntity.Command> entity(String sagaId, SagaDefinitions definitions) {
    TestProbe<SagaOutcomes.Command> outcomes = testKit.createTestProbe();
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    return SagaEntity.create(sagaId, definitions, ENGINE, outcomes.getRef(), shard.getRef());
  }
}
