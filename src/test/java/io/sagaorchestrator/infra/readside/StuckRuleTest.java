package io.sagaorchestrator.infra.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.SagaDefinitions;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.StepOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link StuckRule}'s thresholds: by default twice the current step's timeout plus its longest backoff. */
class StuckRuleTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  record Parcel(String id) {}

  private static final SagaDefinitions DEFINITIONS = new SagaDefinitions().register(SagaDefinition.builder("parcel", 1, Parcel.class)
      .step("pick", step -> step.action((p, c) -> CompletableFuture.completedFuture(StepOutcome.succeeded()))
          .compensation((p, c) -> CompletableFuture.completedFuture(StepOutcome.succeeded()))
          .retry(RetryPolicy.exponential(5, Duration.ofMillis(100), Duration.ofSeconds(3), 0.2)).timeout(Duration.ofSeconds(10)))
      .compensationRetry(RetryPolicy.exponential(20, Duration.ofMillis(100), Duration.ofSeconds(30), 0.2))
      .deadline(Duration.ofMinutes(10))
      .build());

  private static SagaSummaries.Row row(SagaStatus status, String definition, String step, Duration quietFor) {
    return new SagaSummaries.Row("p-1", definition, 1, status, step, 1, null, "c", NOW.minusSeconds(600), NOW.minus(quietFor),
        status.isEnded() ? NOW : null);
  }

  @Test
  void aRunningStepIsStuckAfterTwiceItsTimeoutPlusItsLongestBackoff() {
    StuckRule rule = StuckRule.from(ConfigFactory.parseString("saga.stuck-after = auto"), DEFINITIONS);
    assertFalse(rule.isStuck(row(SagaStatus.RUNNING, "parcel", "pick", Duration.ofSeconds(22)), NOW));
    assertTrue(rule.isStuck(row(SagaStatus.RUNNING, "parcel", "pick", Duration.ofSeconds(24)), NOW));
  }

  @Test
  void aCompensatingStepWaitsForTheCompensationsLongerBackoff() {
    StuckRule rule = StuckRule.from(ConfigFactory.parseString("saga.stuck-after = auto"), DEFINITIONS);
    assertFalse(rule.isStuck(row(SagaStatus.COMPENSATING, "parcel", "pick", Duration.ofSeconds(49)), NOW));
    assertTrue(rule.isStuck(row(SagaStatus.COMPENSATING, "parcel", "pick", Duration.ofSeconds(51)), NOW));
  }

  @Test
  void aStepThisNodeDoesNotRunGetsTheLongestThresholdItKnows() {
    StuckRule rule = StuckRule.from(ConfigFactory.parseString("saga.stuck-after = auto"), DEFINITIONS);
    assertFalse(rule.isStuck(row(SagaStatus.RUNNING, "retired", "old-step", Duration.ofSeconds(49)), NOW));
    assertTrue(rule.isStuck(row(SagaStatus.RUNNING, "retired", "old-step", Duration.ofSeconds(51)), NOW));
  }

  @Test
  void endedAndParkedSagasAreNeverStuckAndAFixedStuckAfterAppliesToEveryStep() {
    StuckRule rule = StuckRule.from(ConfigFactory.parseString("saga.stuck-after = 5s"), DEFINITIONS);
    assertTrue(rule.isStuck(row(SagaStatus.RUNNING, "parcel", "pick", Duration.ofSeconds(6)), NOW));
    assertFalse(rule.isStuck(row(SagaStatus.RUNNING, "parcel", "pick", Duration.ofSeconds(4)), NOW));
    assertFalse(rule.isStuck(row(SagaStatus.PARKED, "parcel", "pick", Duration.ofHours(1)), NOW));
    assertFalse(rule.isStuck(row(SagaStatus.COMPLETED, "parcel", null, Duration.ofHours(1)), NOW));
  }

  @Test
  void rejectsAStuckAfterThatIsNotPositive() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> StuckRule.from(ConfigFactory.parseString("saga.stuck-after = 0s"), DEFINITIONS));
    assertEquals("saga.stuck-after: must be positive or auto", error.getMessage());
  }
}
