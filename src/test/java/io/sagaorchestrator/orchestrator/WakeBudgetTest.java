package io.sagaorchestrator.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class WakeBudgetTest {
  private static int taken(WakeBudget budget, long nowMillis, int asked) {
    int taken = 0;
    for (int i = 0; i < asked; i++) if (budget.take(nowMillis)) taken++;
    return taken;
  }

  @Test
  void givesASecondsWorthAtOnceThenRefillsAtItsRate() {
    WakeBudget budget = new WakeBudget(100, 0);
    assertEquals(100, taken(budget, 0, 1_000), "a burst of one second's worth");
    assertEquals(0, taken(budget, 0, 10));
    assertEquals(50, taken(budget, 500, 1_000), "half a second later, half as many");
    assertEquals(100, taken(budget, 60_000, 1_000), "idle time does not bank more than a second's worth");
  }

  @Test
  void aClockThatStepsBackGivesNothingExtra() {
    WakeBudget budget = new WakeBudget(10, 1_000);
    assertEquals(10, taken(budget, 1_000, 100));
    assertEquals(0, taken(budget, 500, 100));
    assertEquals(5, taken(budget, 1_500, 100));
  }

  @Test
  void refusesALimitBelowOne() {
    assertThrows(IllegalArgumentException.class, () -> new WakeBudget(0, 0));
  }
}
