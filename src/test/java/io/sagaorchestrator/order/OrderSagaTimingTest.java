package io.sagaorchestrator.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.SagaEntity.StepAttemptFailed;
import io.sagaorchestrator.orchestrator.StepAction;
import io.sagaorchestrator.orchestrator.StepSettlement;
import io.sagaorchestrator.order.domain.OrderData;
import io.sagaorchestrator.order.domain.OrderLine;
import io.sagaorchestrator.order.domain.ShippingAddress;
import io.sagaorchestrator.testkit.SagaRun;
import io.sagaorchestrator.testkit.SagaTestKit;
import io.sagaorchestrator.testkit.TestParticipant;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The order saga's timeouts, retries and deadline under the policies the node ships with
 * (saga-node.conf: 2 s per attempt, 5 attempts from 50 ms of backoff, a 5 minute deadline), on
 * the engine's manual clock: nothing here waits in real time.
 */
class OrderSagaTimingTest {
  private static final OrderSaga.Policies SHIPPED = OrderSettings.from(ConfigFactory.parseResources("saga-node.conf").resolve()).saga();
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);

  private SagaTestKit kit;
  private Participants participants;
  private SagaDefinition<OrderData> orderSaga;

  /** Every participant call of the order saga, answered by the test. */
  private static final class Participants implements OrderSaga.Participants {
    final TestParticipant<OrderData> charge;
    final TestParticipant<OrderData> refund;
    final TestParticipant<OrderData> reserve;
    final TestParticipant<OrderData> release;
    final TestParticipant<OrderData> schedule;
    final TestParticipant<OrderData> cancelShipment;

    Participants(SagaTestKit kit) {
      charge = kit.participant("charge");
      refund = kit.participant("refund");
      reserve = kit.participant("reserve");
      release = kit.participant("release");
      schedule = kit.participant("schedule");
      cancelShipment = kit.participant("cancel-shipment");
    }

    @Override public StepAction<OrderData> charge() { return charge; }
    @Override public StepAction<OrderData> refund() { return refund; }
    @Override public StepSettlement<OrderData> forgetCharge() { return (order, key, notAfter) -> { }; }
    @Override public StepAction<OrderData> reserveStock() { return reserve; }
    @Override public StepAction<OrderData> releaseStock() { return release; }
    @Override public StepSettlement<OrderData> forgetReservations() { return (order, key, notAfter) -> { }; }
    @Override public StepAction<OrderData> scheduleShipment() { return schedule; }
    @Override public StepAction<OrderData> cancelShipment() { return cancelShipment; }
  }

  @BeforeEach
  void start() {
    kit = SagaTestKit.create();
    participants = new Participants(kit);
    orderSaga = OrderSaga.definition(participants, SHIPPED);
  }

  @AfterEach
  void stop() {
    kit.close();
  }

  /**
   * Moves the clock past the backoff after {@code failedAttempts} failures (the policy's base with
   * its jitter at most), and no further: a longer move could also time out the attempt it starts.
   */
  private void afterBackoff(int failedAttempts) {
    var retry = SHIPPED.payment().retry();
    long base = Math.min(retry.maxBackoff().toMillis(), retry.initialBackoff().toMillis() << (failedAttempts - 1));
    kit.timePasses(Duration.ofMillis(Math.round(base * (1 + retry.jitter())) + 1));
  }

  private static OrderData order(String orderId) {
    return new OrderData(orderId, "c-1", List.of(new OrderLine("s-1", 2, 1_250)), new ShippingAddress("NL", "Utrecht", "Main 1"));
  }

  @Test
  void aChargeThatTimesOutIsAskedAgainUnderTheSameKeyAndTheOrderCompletes() {
    SagaRun saga = kit.start(orderSaga, order("o-1"));
    var first = participants.charge.expectCall();
    kit.timePasses(ATTEMPT_TIMEOUT);
    afterBackoff(1);
    var second = participants.charge.expectCall();
    assertEquals(first.context().idempotencyKey(), second.context().idempotencyKey(), "one key for every attempt");
    assertEquals(2, second.context().attempt());
    second.succeed();
    first.succeed();
    participants.reserve.expectCall().succeed();
    participants.schedule.expectCall().succeed();

    saga.awaitStatus(SagaStatus.COMPLETED);
    assertTrue(((StepAttemptFailed) saga.events().get(1)).timedOut());
    assertTrue(participants.refund.hasNoCall(), "a late answer to the first attempt changes nothing");
  }

  @Test
  void aChargeWhoseEveryAttemptTimesOutIsRefundedUnderItsKeyForItMayHaveBeenApplied() {
    SagaRun saga = kit.start(orderSaga, order("o-4"));
    String key = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      var call = participants.charge.expectCall();
      key = call.context().idempotencyKey();
      kit.timePasses(ATTEMPT_TIMEOUT);
      if (attempt < 5) afterBackoff(attempt);
    }
    var refund = participants.refund.expectCall();
    assertEquals(key, refund.context().idempotencyKey(), "the refund names the charge it undoes");
    refund.succeed();
    assertTrue(saga.awaitStatus(SagaStatus.COMPENSATED).reason().contains("timed out"));
    assertTrue(participants.reserve.hasNoCall());
  }

  @Test
  void stockThatKeepsFailingIsReleasedAndTheChargeRefundedAfterFiveAttempts() {
    SagaRun saga = kit.start(orderSaga, order("o-2"));
    participants.charge.expectCall().succeed();
    for (int attempt = 1; attempt <= 5; attempt++) {
      var call = participants.reserve.expectCall();
      assertEquals(attempt, call.context().attempt());
      call.fail("inventory unavailable");
      if (attempt < 5) afterBackoff(attempt);
    }
    // A failed attempt may have reserved some SKUs before it failed: release, then refund.
    participants.release.expectCall().succeed();
    participants.refund.expectCall().succeed();

    assertEquals("inventory failed after 5 attempts: failed: inventory unavailable", saga.awaitStatus(SagaStatus.COMPENSATED).reason());
    assertTrue(participants.schedule.hasNoCall());
  }

  @Test
  void aShipmentStillUnansweredAtTheDeadlineIsCancelledAndEverythingBeforeItUndone() {
    SagaRun saga = kit.start(orderSaga, order("o-3"));
    participants.charge.expectCall().succeed();
    participants.reserve.expectCall().succeed();
    participants.schedule.expectCall();
    // Shipping never answers: every attempt times out and is retried until the deadline passes.
    for (Duration passed = Duration.ZERO; passed.compareTo(SHIPPED.deadline()) < 0 && saga.status() == SagaStatus.RUNNING;
        passed = passed.plus(ATTEMPT_TIMEOUT)) {
      kit.timePasses(ATTEMPT_TIMEOUT);
    }
    participants.cancelShipment.expectCall().succeed();
    participants.release.expectCall().succeed();
    participants.refund.expectCall().succeed();
    saga.awaitStatus(SagaStatus.COMPENSATED);
  }
}
