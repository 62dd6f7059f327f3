package io.sagaorchestrator.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.AllDeadLetters;
import akka.actor.typed.ActorRef;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.infra.persistence.JournalSchema;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.TestConfig;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine on its own, running a second definition (a trip: hotel, then flight) whose
 * participants the test answers by hand, so that timing is exact: late replies, deadlines,
 * compensation order. Each test registers its own definitions, whose participants are its own
 * {@link Calls}, and starts sagas of fresh ids: the tests share the node and nothing else.
 */
class SagaEngineTest {
  public record Trip(String tripId, String traveller) {}

  /** One call the saga made; the test completes {@code answer}. */
  record Call(String step, boolean compensation, String idempotencyKey, int attempt, CompletableFuture<StepOutcome> answer) {}

  private static DataDir dataDir;
  private static ActorTestKit testKit;
  private static ActorRef<SagaOutcomes.Command> outcomes;
  private static SagaDefinitions definitions;
  private static final SagaEntity.EngineSettings ENGINE = new SagaEntity.EngineSettings(Duration.ofSeconds(1));

  /** The calls made by the sagas of one test, in the order made; the test answers them. */
  private static final class Calls {
    private final LinkedBlockingQueue<Call> queue = new LinkedBlockingQueue<>();

    StepAction<Trip> recorded(String step, boolean compensation) {
      return (trip, context) -> {
        var answer = new CompletableFuture<StepOutcome>();
        queue.add(new Call(step, compensation, context.idempotencyKey(), context.attempt(), answer));
        return answer;
      };
    }

    Call next() throws InterruptedException {
      Call call = queue.poll(10, TimeUnit.SECONDS);
      assertNotNull(call, "the saga made no further call");
      return call;
    }

    boolean isEmpty() {
      return queue.isEmpty();
    }

    @Override
    public String toString() {
      return queue.toString();
    }
  }

  /** A trip definition of a name no other test uses, registered on the node; returns its name. */
  private static String trip(Calls calls, Duration stepTimeout, Duration deadline) {
    return register(tripBuilder(calls, stepTimeout, deadline, false));
  }

  /** As {@link #trip}, both participants applying nothing when they reject. */
  private static String firmTrip(Calls calls) {
    return register(tripBuilder(calls, Duration.ofMillis(300), Duration.ofMinutes(1), true));
  }

  private static String register(SagaDefinition.Builder<Trip> builder) {
    SagaDefinition<Trip> definition = builder.build();
    definitions.register(definition);
    return definition.name();
  }

  /** {@code firm}: both participants apply nothing when they reject. */
  private static SagaDefinition.Builder<Trip> tripBuilder(Calls calls, Duration stepTimeout, Duration deadline, boolean firm) {
    RetryPolicy twice = RetryPolicy.exponential(2, Duration.ofMillis(20), Duration.ofMillis(40), 0.0);
    UnaryOperator<SagaStep.Builder<Trip>> firmness = step -> firm ? step.rejectionAppliesNothing() : step;
    return SagaDefinition.builder("trip-" + UUID.randomUUID(), 1, Trip.class)
        .step("hotel", step -> firmness.apply(step
            .action(calls.recorded("hotel", false)).compensation(calls.recorded("hotel", true)).retry(twice).timeout(stepTimeout)))
        .step("flight", step -> firmness.apply(step
            .action(calls.recorded("flight", false)).compensation(calls.recorded("flight", true)).retry(twice).timeout(stepTimeout)))
        .compensationRetry(RetryPolicy.exponential(3, Duration.ofMillis(20), Duration.ofMillis(40), 0.0))
        .deadline(deadline);
  }

  @BeforeAll
  static void start() throws Exception {
    dataDir = new DataDir("engine");
    Config config = TestConfig.node(dataDir.path());
    java.nio.file.Files.createDirectories(dataDir.path());
    JournalSchema.createIfMissing(JournalConfig.from(config));
    testKit = ActorTestKit.create("engine", config);
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    definitions = new SagaDefinitions();
    outcomes = SagaOutcomes.start(testKit.system());
    SagaEntity.init(testKit.system(), definitions, ENGINE, outcomes);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    dataDir.close();
  }

  private static String start(String definition) {
    String sagaId = "trip-" + UUID.randomUUID();
    ClusterSharding.get(testKit.system()).entityRefFor(SagaEntity.ENTITY_TYPE_KEY, sagaId)
        .<akka.Done>askWithStatus(replyTo -> new SagaEntity.StartSaga(definition, SagaData.toTree(new Trip(sagaId, "ada")), "corr-" + sagaId, false, replyTo),
            Duration.ofSeconds(10))
        .toCompletableFuture().join();
    return sagaId;
  }

  private static SagaEntity.Summary summary(String sagaId) {
    return ClusterSharding.get(testKit.system()).entityRefFor(SagaEntity.ENTITY_TYPE_KEY, sagaId)
        .askWithStatus(SagaEntity.GetSaga::new, Duration.ofSeconds(5))
        .toCompletableFuture().join();
  }

  private static void awaitStatus(String sagaId, SagaEntity.SagaStatus status) {
    Eventually.within(Duration.ofSeconds(10), () -> assertEquals(status, summary(sagaId).status()));
  }

  private static List<String> history(String sagaId) {
    return historyTypes(summary(sagaId));
  }

  private static List<String> historyTypes(SagaEntity.Summary summary) {
    return summary.history().stream().map(h -> h.type() + (h.step() == null ? "" : ":" + h.step())).toList();
  }

  /** The saga as a new incarnation reads it back from the journal. */
  private static SagaEntity.Summary replayed(String sagaId) {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    TestProbe<StatusReply<SagaEntity.Summary>> reader = testKit.createTestProbe();
    var incarnation = testKit.spawn(SagaEntity.create(sagaId, definitions, ENGINE, outcomes, shard.getRef()));
    incarnation.tell(new SagaEntity.GetSaga(reader.getRef()));
    SagaEntity.Summary summary = reader.receiveMessage(Duration.ofSeconds(10)).getValue();
    testKit.stop(incarnation);
    return summary;
  }

  @Test
  void runsASecondDefinitionWithItsOwnStepsOnTheSameEngine() throws Exception {
    var calls = new Calls();
    String trip = trip(calls, Duration.ofMillis(300), Duration.ofMinutes(1));
    String sagaId = start(trip);
    Call hotel = calls.next();
    assertEquals("hotel", hotel.step());
    assertEquals(sagaId + ":hotel", hotel.idempotencyKey());
    hotel.answer().complete(StepOutcome.succeeded());
    Call flight = calls.next();
    assertEquals("flight", flight.step());
    flight.answer().complete(StepOutcome.succeeded());
    awaitStatus(sagaId, SagaEntity.SagaStatus.COMPLETED);
    SagaEntity.Summary done = summary(sagaId);
    assertEquals(trip, done.definition());
    assertEquals(1, done.definitionVersion());
    assertEquals("corr-" + sagaId, done.correlationId());
    assertNotNull(done.endedAt());
  }

  @Test
  void ignoresALateReplyFromAnAttemptThatAlreadyTimedOut() throws Exception {
    var calls = new Calls();
    String trip = trip(calls, Duration.ofMillis(300), Duration.ofMinutes(1));
    String sagaId = start(trip);
    Call firstAttempt = calls.next();
    Call secondAttempt = calls.next();
    assertEquals(1, firstAttempt.attempt());
    assertEquals(2, secondAttempt.attempt());
    assertEquals(firstAttempt.idempotencyKey(), secondAttempt.idempotencyKey(), "a retry carries the same key");
    secondAttempt.answer().complete(StepOutcome.succeeded());
    Call flight = calls.next();
    // The first attempt's answer arrives now: it must change nothing.
    firstAttempt.answer().complete(new StepOutcome.Rejected("late and wrong"));
    flight.answer().complete(StepOutcome.succeeded());
    awaitStatus(sagaId, SagaEntity.SagaStatus.COMPLETED);
    List<String> history = history(sagaId);
    assertEquals(List.of("SagaStarted", "StepAttemptFailed:hotel", "StepSucceeded:hotel", "StepSucceeded:flight", "SagaCompleted"), history);
    assertTrue(summary(sagaId).history().get(1).detail().contains("timed out"));
  }

  @Test
  void compensatesInReverseOrderWithTheActionsIdempotencyKeys() throws Exception {
    var calls = new Calls();
    String trip = trip(calls, Duration.ofMillis(300), Duration.ofMinutes(1));
    String sagaId = start(trip);
    calls.next().answer().complete(StepOutcome.succeeded());
    calls.next().answer().complete(new StepOutcome.Rejected("no seats"));
    Call undoFlight = calls.next();
    assertTrue(undoFlight.compensation());
    assertEquals("flight", undoFlight.step());
    assertEquals(sagaId + ":flight", undoFlight.idempotencyKey());
    undoFlight.answer().complete(StepOutcome.succeeded());
    Call undoHotel = calls.next();
    assertTrue(undoHotel.compensation());
    assertEquals("hotel", undoHotel.step());
    undoHotel.answer().complete(StepOutcome.succeeded());
    awaitStatus(sagaId, SagaEntity.SagaStatus.COMPENSATED);
    assertEquals("flight rejected: no seats", summary(sagaId).reason());
  }

  @Test
  void compensatesOnlyTheStepsBelowARejectionThatAppliesNothing() throws Exception {
    var calls = new Calls();
    String sagaId = start(firmTrip(calls));
    calls.next().answer().complete(StepOutcome.succeeded());
    calls.next().answer().complete(new StepOutcome.Rejected("no seats"));
    Call undoHotel = calls.next();
    assertTrue(undoHotel.compensation());
    assertEquals("hotel", undoHotel.step(), "the rejected flight is not compensated");
    undoHotel.answer().complete(StepOutcome.succeeded());
    awaitStatus(sagaId, SagaEntity.SagaStatus.COMPENSATED);
    List<String> expected = List.of("SagaStarted", "StepSucceeded:hotel", "StepRejected:flight", "CompensationStarted",
        "StepCompensated:hotel", "SagaCompensated");
    assertEquals(expected, history(sagaId));
    assertEquals("flight rejected: no seats", summary(sagaId).reason());
    SagaEntity.Summary replayed = replayed(sagaId);
    assertEquals(expected, historyTypes(replayed));
    assertEquals(SagaEntity.StepStatus.REJECTED, replayed.steps().get(1).status());
  }

  @Test
  void endsAtOnceWhenTheFirstStepRejectsAndAppliesNothing() throws Exception {
    var calls = new Calls();
    String sagaId = start(firmTrip(calls));
    calls.next().answer().complete(new StepOutcome.Rejected("fully booked"));
    awaitStatus(sagaId, SagaEntity.SagaStatus.COMPENSATED);
    assertTrue(calls.isEmpty(), "nothing to compensate, so no call: " + calls);
    List<String> expected = List.of("SagaStarted", "StepRejected:hotel", "CompensationStarted", "SagaCompensated");
    assertEquals(expected, history(sagaId));
    SagaEntity.Summary replayed = replayed(sagaId);
    assertEquals(expected, historyTypes(replayed));
    assertEquals(SagaEntity.SagaStatus.COMPENSATED, replayed.status());
    assertEquals("hotel rejected: fully booked", replayed.reason());
  }

  @Test
  void compensatesWhenTheSagaDeadlinePasses() throws Exception {
    var calls = new Calls();
    String sagaId = start(trip(calls, Duration.ofSeconds(20), Duration.ofMillis(500)));
    Call hotel = calls.next();
    Call undoHotel = calls.next();
    assertTrue(undoHotel.compensation(), "deadline of 500 ms passed while the hotel step was in flight");
    undoHotel.answer().complete(StepOutcome.succeeded());
    hotel.answer().complete(StepOutcome.succeeded());
    awaitStatus(sagaId, SagaEntity.SagaStatus.COMPENSATED);
    assertEquals("deadline exceeded", summary(sagaId).reason());
    assertFalse(history(sagaId).contains("StepSucceeded:hotel"), "the late success is ignored");
  }

  /**
   * On a node of its own, which no test can have followed: a topic without subscribers would hand
   * each outcome to dead letters. The saga runs there unsharded, on the in-memory journal.
   */
  @Test
  void sendsNoOutcomeToDeadLettersWhileNobodyFollows() throws Exception {
    ActorTestKit unfollowed = ActorTestKit.create("engine-unfollowed", EventSourcedBehaviorTestKit.config()
        .withFallback(ConfigFactory.parseResources("saga-test.conf"))
        .withFallback(ConfigFactory.parseResources("saga-serialization.conf")));
    try {
      TestProbe<AllDeadLetters> dropped = unfollowed.createTestProbe();
      ActorRef<AllDeadLetters> outcomesOnly = unfollowed.spawn(Behaviors.receive(AllDeadLetters.class)
          .onMessage(AllDeadLetters.class, letter -> {
            if (letter.toString().contains(SagaOutcomes.Settled.class.getSimpleName())) dropped.getRef().tell(letter);
            return Behaviors.same();
          })
          .build());
      unfollowed.system().eventStream().tell(new EventStream.Subscribe<>(AllDeadLetters.class, outcomesOnly));
      var calls = new Calls();
      SagaDefinition<Trip> trip = tripBuilder(calls, Duration.ofMillis(300), Duration.ofMinutes(1), false).build();
      String sagaId = "trip-" + UUID.randomUUID();
      TestProbe<ClusterSharding.ShardCommand> shard = unfollowed.createTestProbe();
      var saga = unfollowed.spawn(SagaEntity.create(sagaId, new SagaDefinitions().register(trip), ENGINE,
          SagaOutcomes.start(unfollowed.system()), shard.getRef()));
      TestProbe<StatusReply<akka.Done>> started = unfollowed.createTestProbe();
      saga.tell(new SagaEntity.StartSaga(trip.name(), SagaData.toTree(new Trip(sagaId, "ada")), "corr-" + sagaId, false, started.getRef()));
      assertTrue(started.receiveMessage(Duration.ofSeconds(10)).isSuccess());
      calls.next().answer().complete(StepOutcome.succeeded());
      calls.next().answer().complete(StepOutcome.succeeded());
      TestProbe<StatusReply<SagaEntity.Summary>> settled = unfollowed.createTestProbe();
      saga.tell(new SagaEntity.AwaitSettled(settled.getRef()));
      assertEquals(SagaEntity.SagaStatus.COMPLETED, settled.receiveMessage(Duration.ofSeconds(10)).getValue().status());
      dropped.expectNoMessage(Duration.ofMillis(500));
    } finally {
      unfollowed.shutdownTestKit();
    }
  }

  @Test
  void announcesEachSagaThatEndsOnTheOutcomeTopic() throws Exception {
    TestProbe<SagaOutcomes.Settled> follower = testKit.createTestProbe();
    TestProbe<Topic.TopicStats> subscribed = testKit.createTestProbe();
    outcomes.tell(new SagaOutcomes.Follow(follower.getRef(), subscribed.getRef()));
    assertTrue(subscribed.receiveMessage().localSubscriberCount() >= 1);
    var calls = new Calls();
    String trip = trip(calls, Duration.ofMillis(300), Duration.ofMinutes(1));
    String sagaId = start(trip);
    calls.next().answer().complete(new StepOutcome.Rejected("fully booked"));
    Call undoHotel = calls.next();
    assertTrue(undoHotel.compensation());
    undoHotel.answer().complete(StepOutcome.succeeded());
    SagaOutcomes.Settled settled = follower.fishForMessage(Duration.ofSeconds(10),
        outcome -> outcome.sagaId().equals(sagaId) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
    assertEquals(trip, settled.definition());
    assertEquals(SagaEntity.SagaStatus.COMPENSATED, settled.status());
    assertEquals("hotel rejected: fully booked", settled.reason());
    assertEquals(SagaEntity.SagaStatus.COMPENSATED, summary(sagaId).status(), "announced once stored");
    follower.stop();
  }

  @Test
  void answersNotFoundForASagaThatNeverStarted() {
    CompletionStage<SagaEntity.Summary> missing = ClusterSharding.get(testKit.system())
        .entityRefFor(SagaEntity.ENTITY_TYPE_KEY, "never-" + UUID.randomUUID())
        .askWithStatus(SagaEntity.GetSaga::new, Duration.ofSeconds(5));
    Throwable error = missing.toCompletableFuture().handle((ok, e) -> e).join();
    assertNotNull(error);
    assertTrue(error.getMessage().contains("not found"), error.getMessage());
  }
}
