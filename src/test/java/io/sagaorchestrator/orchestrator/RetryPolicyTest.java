package io.sagaorchestrator.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = RetryPolicy.exponential(5, Duration.ofMillis(50), Duration.ofSeconds(2), 0.2);

  @Test
  void doublesTheBackoffUpToItsCeiling() {
    assertEquals(Duration.ofMillis(50), policy.backoffAfter(1, () -> 0.5));
    assertEquals(Duration.ofMillis(100), policy.backoffAfter(2, () -> 0.5));
    assertEquals(Duration.ofMillis(200), policy.backoffAfter(3, () -> 0.5));
    assertEquals(Duration.ofSeconds(2), policy.backoffAfter(20, () -> 0.5));
    assertEquals(Duration.ofSeconds(2), policy.backoffAfter(Integer.MAX_VALUE, () -> 0.5));
  }

  @Test
  void spreadsEachBackoffByTheJitter() {
    assertEquals(Duration.ofMillis(80), policy.backoffAfter(2, () -> 0.0));
    assertEquals(Duration.ofMillis(120), policy.backoffAfter(2, () -> 0.9999999));
  }

  @Test
  void isExhaustedAfterMaxAttemptsFailures() {
    assertFalse(policy.exhaustedAfter(4));
    assertTrue(policy.exhaustedAfter(5));
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.exponential(0, Duration.ZERO, Duration.ZERO, 0));
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.exponential(1, Duration.ofSeconds(2), Duration.ofSeconds(1), 0));
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.exponential(1, Duration.ZERO, Duration.ZERO, 1.5));
  }

  @Test
  void aDefinitionRefusesRepeatedStepNamesAndKeepsItsOrder() {
    StepAction<String> noop = (data, context) -> java.util.concurrent.CompletableFuture.completedFuture(StepOutcome.succeeded());
    var builder = SagaDefinition.builder("d", 1, String.class)
        .step("a", step -> step.action(noop).compensation(noop).retry(policy).timeout(Duration.ofSeconds(1)))
        .step("a", step -> step.action(noop).compensation(noop).retry(policy).timeout(Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, builder::build);
    var definition = SagaDefinition.builder("d", 2, String.class)
        .step("a", step -> step.action(noop).compensation(noop).retry(policy).timeout(Duration.ofSeconds(1)))
        .step("b", step -> step.action(noop).compensation(noop).retry(policy).timeout(Duration.ofSeconds(1)))
        .build();
    assertEquals(List.of("a", "b"), definition.steps().stream().map(SagaStep::name).toList());
    assertEquals("d@v2", definition.id());
    var registry = new SagaDefinitions().register(definition);
    assertThrows(IllegalArgumentException.class, () -> registry.register(definition));
    assertEquals(2, registry.latest("d").orElseThrow().version());
  }
}
