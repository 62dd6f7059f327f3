package io.sagaorchestrator.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sagaorchestrator.orchestrator.SagaEntity.SagaStarted;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.SagaEntity.Summary;
import io.sagaorchestrator.testkit.SagaRun;
import io.sagaorchestrator.testkit.SagaTestKit;
import io.sagaorchestrator.testkit.TestParticipant;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Running sagas across changes of their definition (docs/design.md §3.11): a saga keeps the
 * version and step names it started with; a node that lacks them shows it BLOCKED and sends
 * nothing, and a node that has them runs it on, under the same idempotency keys.
 */
class SagaEvolutionTest {
  public record Trip(String tripId) {}

  private static final RetryPolicy ONCE = RetryPolicy.exponential(1, Duration.ofMillis(100), Duration.ofMillis(100), 0.0);
  private static final Duration TIMEOUT = Duration.ofMinutes(1);
  private static SagaTestKit kit;

  @BeforeAll
  static void start() {
    kit = SagaTestKit.create();
  }

  @AfterAll
  static void stop() {
    kit.close();
  }

  /** A trip definition whose steps are {@code steps}, each answered by the participant of the same index. */
  @SafeVarargs
  private static SagaDefinition<Trip> trip(int version, List<String> steps, TestParticipant<Trip>... participants) {
    var builder = SagaDefinition.builder("trip", version, Trip.class);
    for (int i = 0; i < steps.size(); i++) {
      String name = steps.get(i);
      TestParticipant<Trip> participant = participants[i];
      builder.step(name, step -> step.action(participant).compensation(kit.participant("undo " + name)).retry(ONCE).timeout(TIMEOUT));
    }
    return builder.deadline(Duration.ofMinutes(5)).build();
  }

  @Test
  void blocksASagaWhoseStepWasRenamedAndSendsNothingUnderTheNewKey() {
    TestParticipant<Trip> hotel = kit.participant("hotel");
    TestParticipant<Trip> flight = kit.participant("flight");
    TestParticipant<Trip> plane = kit.participant("plane");
    SagaDefinition<Trip> started = trip(1, List.of("hotel", "flight"), hotel, flight);
    SagaRun saga = kit.start(started, new Trip("t-rename"));
    hotel.expectCall().succeed();
    flight.expectCall();

    // The same version, deployed again with the step renamed: keys made of "plane" would charge anew.
    saga.restartOn(new SagaDefinitions().register(trip(1, List.of("hotel", "plane"), hotel, plane)));
    Summary blocked = saga.awaitStatus(SagaStatus.BLOCKED);
    assertEquals("definition trip@v1 on this node has steps [hotel, plane], the saga started with [hotel, flight]"
        + " (the saga was RUNNING)", blocked.reason());
    List<String> stored = saga.eventNames();
    kit.timePasses(Duration.ofMinutes(10));
    saga.wake();
    assertEquals(SagaStatus.BLOCKED, saga.status(), "neither its deadline nor a wake-up moves it");
    assertEquals(stored, saga.eventNames(), "a blocked saga stores nothing");
    assertTrue(plane.hasNoCall() && flight.hasNoCall() && hotel.hasNoCall(), "a blocked saga calls no participant");

    saga.restartOn(new SagaDefinitions().register(started));
    var again = flight.expectCall();
    assertEquals(saga.sagaId() + ":flight", again.context().idempotencyKey());
    again.succeed();
    saga.awaitStatus(SagaStatus.COMPLETED);
    assertEquals(List.of("SagaStarted", "StepSucceeded", "LastStepSucceeded"), saga.eventNames());
  }

  @Test
  void blocksASagaWhoseVersionIsMissingUntilANodeThatHasItWakesIt() {
    TestParticipant<Trip> hotel = kit.participant("hotel");
    TestParticipant<Trip> flight = kit.participant("flight");
    SagaDefinition<Trip> v1 = trip(1, List.of("hotel", "flight"), hotel, flight);
    SagaRun saga = kit.start(v1, new Trip("t-dropped"));
    hotel.expectCall();

    SagaDefinitions node = new SagaDefinitions().register(trip(2, List.of("hotel", "flight"), kit.participant("hotel v2"),
        kit.participant("flight v2")));
    saga.restartOn(node);
    assertEquals("definition trip@v1 is not registered on this node (it has trip versions [2]) (the saga was RUNNING)",
        saga.awaitStatus(SagaStatus.BLOCKED).reason());

    node.register(v1);
    saga.wake();
    hotel.expectCall().succeed();
    flight.expectCall().succeed();
    saga.awaitStatus(SagaStatus.COMPLETED);
    assertEquals(List.of("SagaStarted", "StepSucceeded", "LastStepSucceeded"), saga.eventNames());
  }

  @Test
  void startsNewSagasOnTheLatestVersionWhileOlderOnesFinishOnTheirs() {
    TestParticipant<Trip> hotel = kit.participant("hotel");
    TestParticipant<Trip> flight = kit.participant("flight");
    SagaDefinitions node = new SagaDefinitions().register(trip(1, List.of("hotel", "flight"), hotel, flight));
    SagaRun old = kit.start(node, "trip", new Trip("t-old"));
    var oldHotel = hotel.expectCall();

    TestParticipant<Trip> hotel2 = kit.participant("hotel v2");
    TestParticipant<Trip> flight2 = kit.participant("flight v2");
    TestParticipant<Trip> car2 = kit.participant("car v2");
    node.register(trip(2, List.of("hotel", "flight", "car"), hotel2, flight2, car2));
    SagaRun fresh = kit.start(node, "trip", new Trip("t-new"));
    var first = assertInstanceOf(SagaStarted.class, fresh.events().get(0));
    assertEquals(2, first.version());
    assertEquals(List.of("hotel", "flight", "car"), first.stepNames());

    oldHotel.succeed();
    flight.expectCall().succeed();
    assertEquals(1, old.awaitStatus(SagaStatus.COMPLETED).definitionVersion());
    hotel2.expectCall().succeed();
    flight2.expectCall().succeed();
    car2.expectCall().succeed();
    assertEquals(2, fresh.awaitStatus(SagaStatus.COMPLETED).definitionVersion());
    assertTrue(hotel.hasNoCall() && flight.hasNoCall(), "the new saga never called the old version's participants");
  }
}
