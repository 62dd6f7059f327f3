package io.sagaorchestrator.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.SagaEntity.StepAttemptFailed;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The kit as a user's test would hold it: a definition of their own, answered by hand, on a clock the test moves. */
class SagaTestKitTest {
  public record Trip(String tripId) {}

  private static final RetryPolicy TWICE = RetryPolicy.exponential(2, Duration.ofMillis(100), Duration.ofMillis(100), 0.0);
  private static SagaTestKit kit;

  @BeforeAll
  static void start() {
    kit = SagaTestKit.create();
  }

  @AfterAll
  static void stop() {
    kit.close();
  }

  @Test
  void compensatesARejectedStep() {
    TestParticipant<Trip> hotel = kit.participant("hotel");
    TestParticipant<Trip> cancelHotel = kit.participant("cancel-hotel");
    SagaDefinition<Trip> trip = SagaDefinition.builder("trip", 1, Trip.class)
        .step("hotel", step -> step.action(hotel).compensation(cancelHotel).retry(TWICE).timeout(Duration.ofSeconds(5)))
        .build();

    SagaRun saga = kit.start(trip, new Trip("t-1"));
    var call = hotel.expectCall();
    assertEquals(new Trip("t-1"), call.data());
    assertEquals(saga.sagaId() + ":hotel", call.context().idempotencyKey());
    call.reject("full");
    cancelHotel.expectCall().succeed();

    assertEquals("hotel rejected: full", saga.awaitStatus(SagaStatus.COMPENSATED).reason());
    assertEquals(List.of("SagaStarted", "StepRejected", "CompensationStarted", "StepCompensated", "SagaCompensated"),
        saga.eventNames());
  }

  @Test
  void timesAStepOutOnlyWhenTheTestMovesTheClock() {
    TestParticipant<Trip> hotel = kit.participant("hotel");
    TestParticipant<Trip> flight = kit.participant("flight");
    SagaDefinition<Trip> trip = SagaDefinition.builder("trip", 1, Trip.class)
        .step("hotel", step -> step.action(hotel).compensation(kit.participant("cancel-hotel")).retry(TWICE).timeout(Duration.ofSeconds(30)))
        .step("flight", step -> step.action(flight).compensation(kit.participant("cancel-flight")).retry(TWICE).timeout(Duration.ofSeconds(30)))
        .build();

    SagaRun saga = kit.start(trip, new Trip("t-2"));
    hotel.expectCall();
    kit.timePasses(Duration.ofSeconds(30));
    assertEquals(SagaStatus.RUNNING, saga.status());
    var timedOut = assertInstanceOf(StepAttemptFailed.class, saga.events().get(1));
    assertTrue(timedOut.timedOut());
    kit.timePasses(Duration.ofMillis(100));
    var second = hotel.expectCall();
    assertEquals(2, second.context().attempt());
    second.succeed();
    flight.expectCall().succeed();

    saga.awaitStatus(SagaStatus.COMPLETED);
    assertEquals(List.of("SagaStarted", "StepAttemptFailed", "StepSucceeded", "LastStepSucceeded"), saga.eventNames());
  }
}
