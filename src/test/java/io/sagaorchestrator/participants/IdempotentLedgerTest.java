package io.sagaorchestrator.participants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.participants.IdempotentLedger.Hold;
import io.sagaorchestrator.participants.IdempotentLedger.Standing;
import io.sagaorchestrator.participants.IdempotentLedger.Undo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules every participant that holds credit or stock for sagas follows, on the ledger alone. */
class IdempotentLedgerTest {
  private static final Instant LATER = Instant.now().plusSeconds(60);
  private static final Instant PAST = Instant.now().minusSeconds(1);

  private final IdempotentLedger stocked = IdempotentLedger.EMPTY.add(10);

  @Test
  void addingRaisesWhatWasAddedAndWhatIsAvailable() {
    IdempotentLedger ledger = stocked.add(5);
    assertEquals(15, ledger.added());
    assertEquals(15, ledger.available());
  }

  @Test
  void aNewActionBeforeItsDeadlineIsApplied() {
    assertTrue(stocked.answerWithoutApplying("k-1", LATER, "charge").isEmpty());
  }

  @Test
  void aNewActionPastItsDeadlineIsRefusedUnappliedAsAFailure() {
    assertEquals(new StepOutcome.Failed("charge arrived after its deadline; not applied"),
        stocked.answerWithoutApplying("k-1", PAST, "charge").orElseThrow());
  }

  @Test
  void aRepeatedActionGetsItsFirstOutcomeEvenPastItsDeadline() {
    IdempotentLedger ledger = stocked.hold("k-1", "o-1", 4).reject("k-2", "o-2", "insufficient credit");
    assertEquals(StepOutcome.succeeded(), ledger.answerWithoutApplying("k-1", PAST, "charge").orElseThrow());
    assertEquals(new StepOutcome.Rejected("insufficient credit"), ledger.answerWithoutApplying("k-2", PAST, "charge").orElseThrow());
  }

  @Test
  void anActionAfterItsUndoOrTombstoneIsRejected() {
    IdempotentLedger ledger = stocked.hold("k-1", "o-1", 4).giveBack("k-1", "o-1", 4).tombstone("k-2", "o-2");
    for (String key : List.of("k-1", "k-2")) {
      assertEquals(new StepOutcome.Rejected("reservation already compensated"),
          ledger.answerWithoutApplying(key, LATER, "reservation").orElseThrow());
    }
  }

  @Test
  void holdingAndGivingBackMoveWhatIsAvailable() {
    IdempotentLedger held = stocked.hold("k-1", "o-1", 4);
    assertEquals(6, held.available());
    assertEquals(4, held.heldUnder("k-1"));
    IdempotentLedger undone = held.giveBack("k-1", "o-1", 4);
    assertEquals(10, undone.available());
    assertEquals(10, undone.added());
    assertEquals(0, undone.heldUnder("k-1"));
  }

  @Test
  void anUndoGivesBackOnlyWhatIsHeldAndTombstonesWhatNeverCame() {
    IdempotentLedger ledger = stocked.hold("held", "o-1", 4).reject("rejected", "o-2", "no")
        .hold("undone", "o-3", 1).giveBack("undone", "o-3", 1).tombstone("tombstoned", "o-4");
    assertEquals(Undo.TOMBSTONE, ledger.undo("never-seen"));
    assertEquals(Undo.GIVE_BACK, ledger.undo("held"));
    assertEquals(Undo.NOTHING, ledger.undo("rejected"));
    assertEquals(Undo.NOTHING, ledger.undo("undone"));
    assertEquals(Undo.NOTHING, ledger.undo("tombstoned"));
  }

  @Test
  void whatEachOrderHoldsCountsOnlyHeldRecords() {
    IdempotentLedger ledger = stocked.hold("k-1", "o-1", 5).hold("k-2", "o-1", 2)
        .hold("k-3", "o-2", 3).giveBack("k-3", "o-2", 3).reject("k-4", "o-3", "no");
    assertEquals(Map.of("o-1", 7L), ledger.heldByOrder());
  }

  @Test
  void forgettingDropsRecordsAndKeepsTheBalance() {
    IdempotentLedger ledger = stocked.hold("k-1", "o-1", 5).hold("k-2", "o-2", 1).forget(List.of("k-1"));
    assertEquals(Map.of("k-2", new Hold("o-2", Standing.HELD, 1, null)), ledger.byKey());
    assertEquals(4, ledger.available());
    assertEquals(stocked, stocked.forget(List.of("never-seen")));
  }

  @Test
  void eventsAppliedOnTopShareTheRecordsTheyKeep() {
    IdempotentLedger one = stocked.hold("k-1", "o-1", 1);
    IdempotentLedger two = one.hold("k-2", "o-2", 1);
    assertEquals(1, one.byKey().size());
    assertEquals(2, two.byKey().size());
  }
}
