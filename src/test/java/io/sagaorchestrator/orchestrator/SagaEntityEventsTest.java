package io.sagaorchestrator.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.typed.PersistenceId;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.orchestrator.SagaEntity.CancelSaga;
import io.sagaorchestrator.orchestrator.SagaEntity.CompensationAttemptFailed;
import io.sagaorchestrator.orchestrator.SagaEntity.CompensationStarted;
import io.sagaorchestrator.orchestrator.SagaEntity.ControlReply;
import io.sagaorchestrator.orchestrator.SagaEntity.Event;
import io.sagaorchestrator.orchestrator.SagaEntity.LastStepSucceeded;
import io.sagaorchestrator.orchestrator.SagaEntity.ResumeSaga;
import io.sagaorchestrator.orchestrator.SagaEntity.Saga;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaCompensated;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaCompleted;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaParked;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaResumed;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStarted;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.SagaEntity.StartSaga;
import io.sagaorchestrator.orchestrator.SagaEntity.StepAttemptFailed;
import io.sagaorchestrator.orchestrator.SagaEntity.StepCompensated;
import io.sagaorchestrator.orchestrator.SagaEntity.StepRefused;
import io.sagaorchestrator.orchestrator.SagaEntity.StepRejected;
import io.sagaorchestrator.orchestrator.SagaEntity.StepStatus;
import io.sagaorchestrator.orchestrator.SagaEntity.StepSucceeded;
import io.sagaorchestrator.orchestrator.SagaEntity.StepView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a saga stores, told as stories: given what the participants answer, the exact events in
 * the journal and the saga they leave. The trip here books a hotel, a flight and a car; the test
 * answers each participant call by hand.
 *
 * <p>The engine's timers (an attempt's timeout, retry backoff, saga deadline) run on
 * {@link ManualTime}, so a story moves the clock itself. The testkit checks that every command,
 * event and state survives serialization, and {@code akka.actor.serialize-messages} is on.
 */
class SagaEntityEventsTest {
  private static final List<String> STEPS = List.of("hotel", "flight", "car");
  /** Three tries per step, waiting 100 ms and then 200 ms: no jitter, so the stories know the waits. */
  private static final RetryPolicy RETRY = RetryPolicy.exponential(3, Duration.ofMillis(100), Duration.ofMillis(400), 0.0);
  private static final RetryPolicy COMPENSATION_RETRY = RetryPolicy.exponential(2, Duration.ofMillis(100), Duration.ofMillis(100), 0.0);
  /** Longer than any story moves the clock, so only the timeout story sees one. */
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration DEADLINE = Duration.ofMinutes(1);
  private static final SagaEntity.EngineSettings ENGINE = new SagaEntity.EngineSettings(Duration.ofMinutes(10));
  /** Events carry the wall-clock time they were decided at; the stories compare everything else. */
  private static final Instant ANY_TIME = Instant.EPOCH;

  private static ActorTestKit testKit;
  private static ManualTime manualTime;

  public record Trip(String tripId, String traveller) {}

  /** One call of the saga to a participant; the test answers it. */
  record Call(String step, boolean compensation, String idempotencyKey, int attempt, CompletableFuture<StepOutcome> answer)
      implements NoSerializationVerificationNeeded {

    void succeeds() {
      answer.complete(StepOutcome.succeeded());
    }

    void rejects(String reason) {
      answer.complete(new StepOutcome.Rejected(reason));
    }

    void fails(String reason) {
      answer.complete(new StepOutcome.Failed(reason));
    }

    String label() {
      return (compensation ? "undo " : "") + step + " #" + attempt;
    }
  }

  private final String sagaId = "trip-" + UUID.randomUUID();
  private final Trip trip = new Trip(sagaId, "ada");
  private final Calls calls = new Calls();
  private final TestProbe<SagaOutcomes.Command> outcomes = testKit.createTestProbe();
  private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
  private EventSourcedBehaviorTestKit<SagaEntity.Command, Event, SagaEntity.State> saga;
  /** How many of the journal's events the story has checked so far. */
  private int eventsChecked;
  private Instant lastEventAt = Instant.MIN;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("saga-entity-events", ManualTime.config()
        .withFallback(EventSourcedBehaviorTestKit.config())
        .withFallback(ConfigFactory.parseResources("saga-test.conf"))
        .withFallback(ConfigFactory.parseResources("saga-serialization.conf")));
    manualTime = ManualTime.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  // ---- stories --------------------------------------------------------------------------

  @Test
  void completesWhenEveryStepSucceeds() {
    startTrip(trip());
    calls.expect("hotel #1").succeeds();
    calls.expect("flight #1").succeeds();
    calls.expect("car #1").succeeds();

    expectOutcome(SagaStatus.COMPLETED, null);
    expectStored(
        new StepSucceeded(0, 1, ANY_TIME),
        new StepSucceeded(1, 1, ANY_TIME),
        // The last step's success and the saga's completion are one event, one journal row.
        new LastStepSucceeded(2, 1, ANY_TIME));
    expectNothingMoreStored();
    Saga state = state();
    assertEquals(SagaStatus.COMPLETED, state.status());
    assertEquals(List.of(
        new StepView("hotel", StepStatus.SUCCEEDED, 1, null, 0),
        new StepView("flight", StepStatus.SUCCEEDED, 1, null, 0),
        new StepView("car", StepStatus.SUCCEEDED, 1, null, 0)), state.steps());
    assertNotNull(state.endedAt());
    assertEquals(List.of("SagaStarted", "StepSucceeded:hotel", "StepSucceeded:flight", "StepSucceeded:car", "SagaCompleted"),
        history(state));
  }

  @Test
  void storesAnAnnouncedSagasStartTogetherWithItsFirstStepsOutcome() {
    saga = sagaOf(trip());
    var start = saga.<StatusReply<akka.Done>>runCommand(replyTo -> startCommand(true, replyTo));
    assertTrue(start.reply().isSuccess());
    assertTrue(start.events().isEmpty(), "nothing is stored before the first step answers");
    var summary = saga.<StatusReply<SagaEntity.Summary>>runCommand(SagaEntity.GetSaga::new).reply().getValue();
    assertEquals(SagaStatus.RUNNING, summary.status(), "the saga answers as running all the same");

    calls.expect("hotel #1").succeeds();

    expectStored(
        new SagaStarted(sagaId, "trip", 1, STEPS, SagaData.toTree(trip), "corr-" + sagaId, ANY_TIME),
        new StepSucceeded(0, 1, ANY_TIME));
    assertEquals(SagaStatus.RUNNING, state().status());
    calls.expect("flight #1");
  }

  @Test
  void compensatesARejectedStepAndEveryStepBeforeItInReverseOrder() {
    startTrip(trip());
    calls.expect("hotel #1").succeeds();
    calls.expect("flight #1").succeeds();
    calls.expect("car #1").rejects("no cars left");
    calls.expect("undo car #1").succeeds();
    calls.expect("undo flight #1").succeeds();
    calls.expect("undo hotel #1").succeeds();

    expectOutcome(SagaStatus.COMPENSATED, "car rejected: no cars left");
    expectStored(
        new StepSucceeded(0, 1, ANY_TIME),
        new StepSucceeded(1, 1, ANY_TIME),
        new StepRejected(2, 1, "no cars left", ANY_TIME),
        new CompensationStarted("car rejected: no cars left", ANY_TIME),
        // A rejecting participant may have applied part of its step: the car is undone too.
        new StepCompensated(2, 1, ANY_TIME),
        new StepCompensated(1, 1, ANY_TIME),
        new StepCompensated(0, 1, ANY_TIME),
        new SagaCompensated(ANY_TIME));
    expectNothingMoreStored();
    assertEquals(List.of(
        new StepView("hotel", StepStatus.COMPENSATED, 1, null, 1),
        new StepView("flight", StepStatus.COMPENSATED, 1, null, 1),
        new StepView("car", StepStatus.COMPENSATED, 1, "no cars left", 1)), state().steps());
  }

  @Test
  void compensatesOnlyTheStepsBeforeARejectionThatAppliesNothing() {
    startTrip(trip(STEP_TIMEOUT, "flight"));
    calls.expect("hotel #1").succeeds();
    calls.expect("flight #1").rejects("no seats");
    calls.expect("undo hotel #1").succeeds();

    expectOutcome(SagaStatus.COMPENSATED, "flight rejected: no seats");
    expectStored(
        new StepSucceeded(0, 1, ANY_TIME),
        // The refusal and the start of compensation are one event; the flight is not undone.
        new StepRefused(1, 1, "no seats", ANY_TIME),
        new StepCompensated(0, 1, ANY_TIME),
        new SagaCompensated(ANY_TIME));
    expectNothingMoreStored();
    Saga state = state();
    assertEquals(List.of(
        new StepView("hotel", StepStatus.COMPENSATED, 1, null, 1),
        new StepView("flight", StepStatus.REJECTED, 1, "no seats", 0),
        new StepView("car", StepStatus.PENDING, 0, null, 0)), state.steps());
    assertEquals(List.of("SagaStarted", "StepSucceeded:hotel", "StepRejected:flight", "CompensationStarted",
        "StepCompensated:hotel", "SagaCompensated"), history(state), "the history reads as before the two were one event");
  }

  @Test
  void retriesAFailedStepWithTheSameKeyAfterItsBackoff() {
    startTrip(trip());
    calls.expect("hotel #1").fails("busy");
    expectStored(new StepAttemptFailed(0, 1, "failed: busy", false, ANY_TIME));
    afterBackoff(Duration.ofMillis(100));
    calls.expect("hotel #2").fails("busy");
    expectStored(new StepAttemptFailed(0, 2, "failed: busy", false, ANY_TIME));
    afterBackoff(Duration.ofMillis(200));
    calls.expect("hotel #3").succeeds();

    expectStored(new StepSucceeded(0, 3, ANY_TIME));
    calls.expect("flight #1");
    Saga state = state();
    assertEquals(SagaStatus.RUNNING, state.status());
    assertEquals(new StepView("hotel", StepStatus.SUCCEEDED, 3, "failed: busy", 0), state.steps().get(0));
    assertEquals(new StepView("flight", StepStatus.RUNNING, 0, null, 0), state.steps().get(1));
  }

  @Test
  void compensatesAStepWhoseAttemptsAreExhausted() {
    startTrip(trip());
    calls.expect("hotel #1").fails("down");
    expectStored(new StepAttemptFailed(0, 1, "failed: down", false, ANY_TIME));
    afterBackoff(Duration.ofMillis(100));
    calls.expect("hotel #2").fails("down");
    expectStored(new StepAttemptFailed(0, 2, "failed: down", false, ANY_TIME));
    afterBackoff(Duration.ofMillis(200));
    calls.expect("hotel #3").fails("down");
    // A failed attempt may have applied before it failed: the hotel is undone.
    calls.expect("undo hotel #1").succeeds();

    expectOutcome(SagaStatus.COMPENSATED, "hotel failed after 3 attempts: failed: down");
    expectStored(
        new StepAttemptFailed(0, 3, "failed: down", false, ANY_TIME),
        new CompensationStarted("hotel failed after 3 attempts: failed: down", ANY_TIME),
        new StepCompensated(0, 1, ANY_TIME),
        new SagaCompensated(ANY_TIME));
    expectNothingMoreStored();
  }

  @Test
  void retriesAnAttemptThatTimesOutAndItsLateAnswerChangesNothing() {
    startTrip(trip(Duration.ofSeconds(20), null));
    Call firstAttempt = calls.expect("hotel #1");
    // Not answered: once 20 s have passed on the saga's clock, and no sooner, it stops waiting.
    manualTime.timePasses(Duration.ofSeconds(20).minusMillis(1));
    saga.getState();
    expectNothingMoreStored();
    manualTime.timePasses(Duration.ofMillis(1));
    expectStored(new StepAttemptFailed(0, 1, "timed out", true, ANY_TIME));
    afterBackoff(Duration.ofMillis(100));
    Call secondAttempt = calls.expect("hotel #2");
    firstAttempt.rejects("late and wrong");
    secondAttempt.succeeds();

    expectStored(new StepSucceeded(0, 2, ANY_TIME));
    calls.expect("flight #1");
    // The answered attempt's timer is cancelled: its timeout passing stores nothing.
    manualTime.timePasses(Duration.ofSeconds(20));
    saga.getState();
    expectNothingMoreStored();
    assertEquals(new StepView("hotel", StepStatus.SUCCEEDED, 2, "timed out", 0), state().steps().get(0));
  }

  @Test
  void compensatesTheStepInFlightWhenCancelledAndRefusesToCancelOnceEnded() {
    startTrip(trip());
    Call hotel = calls.expect("hotel #1");

    var cancel = saga.<ControlReply>runCommand(replyTo -> new CancelSaga("plans changed", replyTo));
    assertEquals(new ControlReply(ControlReply.Result.ACCEPTED, SagaStatus.COMPENSATING), cancel.reply());
    assertEquals(List.of(new CompensationStarted("plans changed", ANY_TIME)), withoutTime(cancel.events()));
    eventsChecked++;
    Call undoHotel = calls.expect("undo hotel #1");
    hotel.succeeds();
    undoHotel.succeeds();

    expectOutcome(SagaStatus.COMPENSATED, "plans changed");
    expectStored(new StepCompensated(0, 1, ANY_TIME), new SagaCompensated(ANY_TIME));
    var again = saga.<ControlReply>runCommand(replyTo -> new CancelSaga("again", replyTo));
    assertEquals(new ControlReply(ControlReply.Result.CONFLICT, SagaStatus.COMPENSATED), again.reply());
    assertTrue(again.events().isEmpty());
    expectNothingMoreStored();
  }

  @Test
  void compensatesWhenTheDeadlinePasses() {
    startTrip(trip());
    calls.expect("hotel #1");

    manualTime.timePasses(DEADLINE);
    calls.expect("undo hotel #1").succeeds();

    expectOutcome(SagaStatus.COMPENSATED, "deadline exceeded");
    expectStored(
        new CompensationStarted("deadline exceeded", ANY_TIME),
        new StepCompensated(0, 1, ANY_TIME),
        new SagaCompensated(ANY_TIME));
    expectNothingMoreStored();
  }

  @Test
  void parksACompensationThatKeepsFailingUntilAnOperatorResumesIt() {
    startTrip(trip());
    calls.expect("hotel #1").succeeds();
    calls.expect("flight #1").rejects("no seats");
    calls.expect("undo flight #1").fails("airline down");
    expectStored(
        new StepSucceeded(0, 1, ANY_TIME),
        new StepRejected(1, 1, "no seats", ANY_TIME),
        new CompensationStarted("flight rejected: no seats", ANY_TIME),
        new CompensationAttemptFailed(1, 1, "failed: airline down", ANY_TIME));
    afterBackoff(Duration.ofMillis(100));
    calls.expect("undo flight #2").fails("airline down");

    expectOutcome(SagaStatus.PARKED, "flight rejected: no seats");
    expectStored(
        new CompensationAttemptFailed(1, 2, "failed: airline down", ANY_TIME),
        new SagaParked("compensation of flight failed 2 times: failed: airline down", ANY_TIME));
    manualTime.expectNoMessageFor(Duration.ofMinutes(5), calls.probe);

    var resume = saga.<ControlReply>runCommand(ResumeSaga::new);
    assertEquals(new ControlReply(ControlReply.Result.ACCEPTED, SagaStatus.COMPENSATING), resume.reply());
    assertEquals(List.of(new SagaResumed(ANY_TIME)), withoutTime(resume.events()));
    eventsChecked++;
    calls.expect("undo flight #1").succeeds();
    calls.expect("undo hotel #1").succeeds();

    expectOutcome(SagaStatus.COMPENSATED, "flight rejected: no seats");
    expectStored(
        new StepCompensated(1, 1, ANY_TIME),
        new StepCompensated(0, 1, ANY_TIME),
        new SagaCompensated(ANY_TIME));
    expectNothingMoreStored();
  }

  @Test
  void asksAgainWithTheSameKeyForTheStepInFlightAfterARestart() {
    startTrip(trip());
    calls.expect("hotel #1").succeeds();
    calls.expect("flight #1");
    expectStored(new StepSucceeded(0, 1, ANY_TIME));

    Saga recovered = assertInstanceOf(Saga.class, saga.restart().state());
    assertEquals(SagaStatus.RUNNING, recovered.status());
    assertEquals(1, recovered.currentStep());
    // The first call's answer never reaches the new incarnation: the flight is asked again.
    calls.expect("flight #1").succeeds();
    calls.expect("car #1").succeeds();

    expectOutcome(SagaStatus.COMPLETED, null);
    expectStored(new StepSucceeded(1, 1, ANY_TIME), new LastStepSucceeded(2, 1, ANY_TIME));
    expectNothingMoreStored();
  }

  @Test
  void refusesToStartADefinitionItDoesNotKnow() {
    saga = sagaOf(trip());
    var start = saga.<StatusReply<akka.Done>>runCommand(replyTo ->
        new StartSaga("cruise", SagaData.toTree(trip), "corr-" + sagaId, false, replyTo));
    assertTrue(start.reply().isError());
    assertEquals("unknown saga definition cruise", start.reply().getError().getMessage());
    assertTrue(start.events().isEmpty());
    assertInstanceOf(SagaEntity.NotStarted.class, start.state());
    calls.probe.expectNoMessage(Duration.ofMillis(100));
  }

  // ---- the trip and its participants -----------------------------------------------------

  private SagaDefinition<Trip> trip() {
    return trip(STEP_TIMEOUT, null);
  }

  /** {@code refusingStep}: a step whose rejection applies nothing, or null. */
  private SagaDefinition<Trip> trip(Duration hotelTimeout, String refusingStep) {
    var builder = SagaDefinition.builder("trip", 1, Trip.class);
    for (String step : STEPS) {
      builder.step(step, spec -> {
        spec.action(participant(step, false)).compensation(participant(step, true)).retry(RETRY)
            .timeout(step.equals("hotel") ? hotelTimeout : STEP_TIMEOUT);
        return step.equals(refusingStep) ? spec.rejectionAppliesNothing() : spec;
      });
    }
    return builder.compensationRetry(COMPENSATION_RETRY).deadline(DEADLINE).build();
  }

  private StepAction<Trip> participant(String step, boolean compensation) {
    return (data, context) -> {
      var answer = new CompletableFuture<StepOutcome>();
      calls.probe.getRef().tell(new Call(step, compensation, context.idempotencyKey(), context.attempt(), answer));
      return answer;
    };
  }

  /** The calls the saga makes to the trip's participants, in the order made. */
  private final class Calls {
    final TestProbe<Call> probe = testKit.createTestProbe();

    /** The next call, e.g. "flight #2" or "undo hotel #1"; every call of a step carries the step's key. */
    Call expect(String label) {
      Call call = probe.receiveMessage(Duration.ofSeconds(5));
      assertEquals(label, call.label());
      assertEquals(StepContext.idempotencyKey(sagaId, call.step()), call.idempotencyKey());
      return call;
    }
  }

  private EventSourcedBehaviorTestKit<SagaEntity.Command, Event, SagaEntity.State> sagaOf(SagaDefinition<Trip> definition) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        SagaEntity.create(sagaId, new SagaDefinitions().register(definition), ENGINE, outcomes.getRef(), shard.getRef()));
  }

  private StartSaga startCommand(boolean announced, akka.actor.typed.ActorRef<StatusReply<akka.Done>> replyTo) {
    return new StartSaga("trip", SagaData.toTree(trip), "corr-" + sagaId, announced, replyTo);
  }

  /** Starts the saga as an HTTP client would (not announced): its first event is stored before the answer. */
  private void startTrip(SagaDefinition<Trip> definition) {
    saga = sagaOf(definition);
    var start = saga.<StatusReply<akka.Done>>runCommand(replyTo -> startCommand(false, replyTo));
    assertTrue(start.reply().isSuccess());
    expectStored(new SagaStarted(sagaId, "trip", 1, STEPS, SagaData.toTree(trip), "corr-" + sagaId, ANY_TIME));
    assertEquals(new StepView("hotel", StepStatus.RUNNING, 0, null, 0), state().steps().get(0));
  }

  // ---- checks ---------------------------------------------------------------------------

  /** Waits for the backoff to be due and no sooner: nothing is called a millisecond before it. */
  private void afterBackoff(Duration backoff) {
    manualTime.expectNoMessageFor(backoff.minusMillis(1), calls.probe);
    manualTime.timePasses(Duration.ofMillis(1));
  }

  /**
   * Waits until the journal holds {@code next} after the events already checked, then checks
   * them. The saga has acted on them once this returns (a state query waits for that), so a
   * story may move the clock next.
   */
  private void expectStored(Event... next) {
    int until = eventsChecked + next.length;
    List<Event> stored = calls.probe.awaitAssert(Duration.ofSeconds(5), () -> {
      List<Event> journal = journal();
      assertTrue(journal.size() >= until, () -> "stored so far: " + journal);
      return journal;
    });
    for (Event event : stored.subList(eventsChecked, until)) {
      assertFalse(event.at().isBefore(lastEventAt), "events are stored in the order they were decided: " + stored);
      lastEventAt = event.at();
    }
    assertEquals(List.of(next), withoutTime(stored.subList(eventsChecked, until)));
    eventsChecked = until;
    saga.getState();
  }

  private void expectNothingMoreStored() {
    List<Event> journal = journal();
    assertEquals(List.of(), withoutTime(journal.subList(eventsChecked, journal.size())));
  }

  private void expectOutcome(SagaStatus status, String reason) {
    var announced = assertInstanceOf(SagaOutcomes.Announce.class, outcomes.receiveMessage(Duration.ofSeconds(5))).outcome();
    assertEquals(sagaId, announced.sagaId());
    assertEquals("trip", announced.definition());
    assertEquals(status, announced.status());
    assertEquals(reason, announced.reason());
  }

  private List<Event> journal() {
    String persistenceId = PersistenceId.of(SagaEntity.ENTITY_TYPE_KEY.name(), sagaId).id();
    return saga.persistenceTestKit().persistedInStorage(persistenceId).stream().map(Event.class::cast).toList();
  }

  private Saga state() {
    return assertInstanceOf(Saga.class, saga.getState());
  }

  private static List<String> history(Saga saga) {
    return saga.history().stream().map(h -> h.type() + (h.step() == null ? "" : ":" + h.step())).toList();
  }

  private static List<Event> withoutTime(List<Event> events) {
    List<Event> result = new ArrayList<>();
    for (Event event : events) result.add(withoutTime(event));
    return result;
  }

  private static Event withoutTime(Event e) {
    if (e instanceof SagaStarted s) {
      return new SagaStarted(s.sagaId(), s.definition(), s.version(), s.stepNames(), s.data(), s.correlationId(), ANY_TIME);
    }
    if (e instanceof StepSucceeded s) return new StepSucceeded(s.step(), s.attempt(), ANY_TIME);
    if (e instanceof LastStepSucceeded s) return new LastStepSucceeded(s.step(), s.attempt(), ANY_TIME);
    if (e instanceof StepAttemptFailed s) return new StepAttemptFailed(s.step(), s.attempt(), s.error(), s.timedOut(), ANY_TIME);
    if (e instanceof StepRejected s) return new StepRejected(s.step(), s.attempt(), s.reason(), ANY_TIME);
    if (e instanceof StepRefused s) return new StepRefused(s.step(), s.attempt(), s.reason(), ANY_TIME);
    if (e instanceof CompensationStarted s) return new CompensationStarted(s.reason(), ANY_TIME);
    if (e instanceof StepCompensated s) return new StepCompensated(s.step(), s.attempt(), ANY_TIME);
    if (e instanceof CompensationAttemptFailed s) return new CompensationAttemptFailed(s.step(), s.attempt(), s.error(), ANY_TIME);
    if (e instanceof SagaParked s) return new SagaParked(s.reason(), ANY_TIME);
    if (e instanceof SagaResumed) return new SagaResumed(ANY_TIME);
    if (e instanceof SagaCompleted) return new SagaCompleted(ANY_TIME);
    if (e instanceof SagaCompensated) return new SagaCompensated(ANY_TIME);
    throw new IllegalArgumentException("an event these stories do not know: " + e);
  }
}
