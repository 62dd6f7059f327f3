package io.sagaorchestrator.participants.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.sagaorchestrator.orchestrator.StepAction;
import io.sagaorchestrator.orchestrator.StepContext;
import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.tools.ParticipantServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link HttpParticipant} against a real HTTP server on loopback (docs/http-participant.md). */
class HttpParticipantTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(2);

  private ParticipantServer hotel;

  /** Books a room for the saga's nights; undone by a DELETE of the same booking. */
  record Stay(int nights) {}

  @BeforeEach
  void startServer() throws Exception {
    hotel = ParticipantServer.start();
  }

  @AfterEach
  void stopServer() {
    hotel.close();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private HttpParticipant participant(int maxConcurrent, int maxFailures, Duration resetTimeout) {
    return HttpParticipant.create(testKit.system(), new HttpParticipantSettings("hotel", Optional.of(URI.create(hotel.baseUrl())),
        maxConcurrent, maxFailures, Duration.ofSeconds(5), resetTimeout));
  }

  private HttpParticipant participant() {
    return participant(8, 100, Duration.ofSeconds(5));
  }

  private static StepAction<Stay> book(HttpParticipant hotel) {
    return hotel.action((stay, step) -> HttpCall.post("/bookings/" + step.sagaId(), "{\"nights\": " + stay.nights() + "}"));
  }

  private static StepAction<Stay> cancel(HttpParticipant hotel) {
    return hotel.action((stay, step) -> HttpCall.delete("/bookings/" + step.sagaId()));
  }

  private static StepContext attempt(String sagaId, int attempt, Duration timeout) {
    return new StepContext(sagaId, "hotel", StepContext.idempotencyKey(sagaId, "hotel"), attempt, timeout,
        Instant.now().plus(timeout), "corr-" + sagaId);
  }

  private static StepOutcome await(CompletionStage<StepOutcome> outcome) throws Exception {
    return outcome.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String newSagaId() {
    return "s-" + UUID.randomUUID();
  }

  @Test
  void sendsTheStepsKeyCorrelationIdAndDeadlineAndSucceedsOn2xx() throws Exception {
    String sagaId = newSagaId();
    StepContext step = attempt(sagaId, 1, STEP_TIMEOUT);
    assertInstanceOf(StepOutcome.Succeeded.class, await(book(participant()).invoke(new Stay(3), step)));

    ParticipantServer.Received request = hotel.received().get(0);
    assertEquals("POST", request.method());
    assertEquals("/bookings/" + sagaId, request.path());
    assertEquals("{\"nights\": 3}", request.body());
    assertEquals("application/json", request.header("Content-Type"));
    assertEquals(sagaId + ":hotel", request.header("Idempotency-Key"));
    assertEquals("corr-" + sagaId, request.header("X-Correlation-Id"));
    assertEquals(step.notAfter(), Instant.parse(request.header("X-Saga-Not-After")));
    assertEquals("1", request.header("X-Saga-Attempt"));
    assertTrue(hotel.isBooked(sagaId + ":hotel"));
  }

  @Test
  void aRefusalIsRejectedWithTheBodysReasonAndAppliesNothing() throws Exception {
    hotel.refuse("no rooms left");
    String sagaId = newSagaId();
    StepOutcome outcome = await(book(participant()).invoke(new Stay(1), attempt(sagaId, 1, STEP_TIMEOUT)));
    assertEquals(new StepOutcome.Rejected("no rooms left"), outcome);
    assertTrue(hotel.bookedKeys().isEmpty());
  }

  @Test
  void anUnavailableServiceIsATransientFailure() throws Exception {
    hotel.fail();
    StepOutcome outcome = await(book(participant()).invoke(new Stay(1), attempt(newSagaId(), 1, STEP_TIMEOUT)));
    assertEquals(new StepOutcome.Failed("HTTP 503: service unavailable"), outcome);
  }

  @Test
  void aCallUnansweredPastItsDeadlineFailsWithItsOutcomeUnknown() throws Exception {
    hotel.hold();
    StepOutcome outcome = await(book(participant()).invoke(new Stay(1), attempt(newSagaId(), 1, Duration.ofMillis(300))));
    StepOutcome.Failed failed = assertInstanceOf(StepOutcome.Failed.class, outcome);
    assertTrue(failed.reason().contains("outcome unknown"), failed.reason());
  }

  @Test
  void aCallAppliedButAnsweredLateIsUndoneByItsCompensationUnderTheSameKey() throws Exception {
    HttpParticipant participant = participant();
    String sagaId = newSagaId();
    String key = sagaId + ":hotel";
    hotel.bookThenHold();
    StepOutcome late = await(book(participant).invoke(new Stay(2), attempt(sagaId, 1, Duration.ofMillis(300))));
    assertInstanceOf(StepOutcome.Failed.class, late);
    assertTrue(hotel.isBooked(key), "the booking was applied although its answer came too late");

    hotel.release();
    assertInstanceOf(StepOutcome.Succeeded.class, await(cancel(participant).invoke(new Stay(2), attempt(sagaId, 1, STEP_TIMEOUT))));
    assertTrue(hotel.isCancelled(key));
    assertEquals(List.of(key, key), hotel.received().stream().map(r -> r.header("Idempotency-Key")).toList());
  }

  @Test
  void everyAttemptAndTheCompensationCarryTheStepsKey() throws Exception {
    HttpParticipant participant = participant();
    String sagaId = newSagaId();
    hotel.fail();
    assertInstanceOf(StepOutcome.Failed.class, await(book(participant).invoke(new Stay(1), attempt(sagaId, 1, STEP_TIMEOUT))));
    hotel.book();
    assertInstanceOf(StepOutcome.Succeeded.class, await(book(participant).invoke(new Stay(1), attempt(sagaId, 2, STEP_TIMEOUT))));
    assertInstanceOf(StepOutcome.Succeeded.class, await(cancel(participant).invoke(new Stay(1), attempt(sagaId, 1, STEP_TIMEOUT))));

    List<ParticipantServer.Received> calls = hotel.received();
    assertEquals(List.of("POST", "POST", "DELETE"), calls.stream().map(ParticipantServer.Received::method).toList());
    assertEquals(List.of("1", "2", "1"), calls.stream().map(r -> r.header("X-Saga-Attempt")).toList());
    calls.forEach(call -> assertEquals(sagaId + ":hotel", call.header("Idempotency-Key")));
    assertTrue(hotel.isCancelled(sagaId + ":hotel"));
  }

  @Test
  void theBulkheadFailsCallsBeyondItsLimitAtOnceWithoutSendingThem() throws Exception {
    HttpParticipant participant = participant(2, 100, Duration.ofSeconds(5));
    hotel.hold();
    List<CompletionStage<StepOutcome>> inFlight = new ArrayList<>();
    for (int i = 0; i < 2; i++) inFlight.add(book(participant).invoke(new Stay(1), attempt(newSagaId(), 1, STEP_TIMEOUT)));
    Eventually.within(Duration.ofSeconds(5), () -> assertEquals(2, hotel.received().size()));

    StepOutcome third = await(book(participant).invoke(new Stay(1), attempt(newSagaId(), 1, STEP_TIMEOUT)));
    assertEquals(new StepOutcome.Failed("bulkhead full"), third);
    assertEquals(2, hotel.received().size());

    hotel.release();
    for (CompletionStage<StepOutcome> call : inFlight) assertInstanceOf(StepOutcome.Succeeded.class, await(call));
    assertEquals(2, hotel.mostInFlight());
    assertInstanceOf(StepOutcome.Succeeded.class, await(book(participant).invoke(new Stay(1), attempt(newSagaId(), 1, STEP_TIMEOUT))));
  }

  @Test
  void theBreakerOpensAfterFailuresInARowAndClosesAfterASuccessfulTrialCall() throws Exception {
    HttpParticipant participant = participant(8, 2, Duration.ofSeconds(2));
    hotel.fail();
    for (int i = 0; i < 2; i++) {
      assertInstanceOf(StepOutcome.Failed.class, await(book(participant).invoke(new Stay(1), attempt(newSagaId(), 1, STEP_TIMEOUT))));
    }
    // The breaker counts a failure as its call completes, so the call right after may still go out.
    Eventually.within(Duration.ofSeconds(5), () -> {
      StepOutcome.Failed fast = assertInstanceOf(StepOutcome.Failed.class,
          await(book(participant).invoke(new Stay(1), attempt(newSagaId(), 1, STEP_TIMEOUT))));
      assertTrue(fast.reason().contains("circuit breaker open"), fast.reason());
    });
    int sent = hotel.received().size();
    assertTrue(sent <= 3, "opened after max-failures: " + sent + " calls sent");
    assertInstanceOf(StepOutcome.Failed.class, await(book(participant).invoke(new Stay(1), attempt(newSagaId(), 1, STEP_TIMEOUT))));
    assertEquals(sent, hotel.received().size(), "an open breaker sends nothing");

    hotel.book();
    Eventually.within(Duration.ofSeconds(10), () -> assertInstanceOf(StepOutcome.Succeeded.class,
        await(book(participant).invoke(new Stay(1), attempt(newSagaId(), 1, STEP_TIMEOUT)))));
    assertEquals(sent + 1, hotel.received().size(), "only the trial call reached the service");
    // The breaker closes as the trial call completes, so the call right after may still find it half-open.
    Eventually.within(Duration.ofSeconds(5), () -> assertInstanceOf(StepOutcome.Succeeded.class,
        await(book(participant).invoke(new Stay(1), attempt(newSagaId(), 1, STEP_TIMEOUT)))));
    assertEquals(sent + 2, hotel.received().size(), "closed again: calls are sent");
  }
}
