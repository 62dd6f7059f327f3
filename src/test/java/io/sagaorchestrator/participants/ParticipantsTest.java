package io.sagaorchestrator.participants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import io.sagaorchestrator.order.shipping.Shipment;
import io.sagaorchestrator.testsupport.Eventually;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The participants' rules in isolation: idempotency by key, business rejections, and
 * tombstones left by a compensation that overtakes its action. The testkit also checks that
 * every command, event, reply and state survives serialization.
 */
class ParticipantsTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseResources("saga-serialization.conf"))
      .withFallback(ConfigFactory.parseString("akka.actor.serialize-messages = on")));

  /** A deadline the commands of these tests meet. */
  private static final Instant SOON = Instant.now().plus(Duration.ofMinutes(10));
  private static final Duration FORGET_AFTER = Duration.ofMillis(200);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<PaymentAccount.Command, PaymentAccount.Event, IdempotentLedger> account() {
    return EventSourcedBehaviorTestKit.create(testKit.system(), PaymentAccount.create("c-1", FORGET_AFTER));
  }

  @Test
  void chargesOnceForOneKeyAndRepeatsTheFirstOutcome() {
    var account = account();
    account.<StatusReply<PaymentAccount.AccountView>>runCommand(replyTo -> new PaymentAccount.Deposit(1_000, replyTo));
    var first = account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Charge("o-1", 600, "o-1:payment", SOON, replyTo));
    assertInstanceOf(StepOutcome.Succeeded.class, first.reply());
    assertEquals(1, first.events().size());
    var repeat = account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Charge("o-1", 600, "o-1:payment", SOON, replyTo));
    assertInstanceOf(StepOutcome.Succeeded.class, repeat.reply());
    assertTrue(repeat.events().isEmpty(), "a repeat applies nothing");
    assertEquals(400, repeat.state().available());
  }

  @Test
  void rejectsACustomerWithoutEnoughCreditAndRemembersTheRejection() {
    var account = account();
    var rejected = account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Charge("o-2", 1, "o-2:payment", SOON, replyTo));
    assertInstanceOf(StepOutcome.Rejected.class, rejected.reply());
    account.<StatusReply<PaymentAccount.AccountView>>runCommand(replyTo -> new PaymentAccount.Deposit(1_000, replyTo));
    var repeat = account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Charge("o-2", 1, "o-2:payment", SOON, replyTo));
    assertInstanceOf(StepOutcome.Rejected.class, repeat.reply(), "the first outcome stands for the key");
  }

  @Test
  void refundsAChargeOnceAndRestoresTheCredit() {
    var account = account();
    account.<StatusReply<PaymentAccount.AccountView>>runCommand(replyTo -> new PaymentAccount.Deposit(1_000, replyTo));
    account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Charge("o-3", 700, "o-3:payment", SOON, replyTo));
    var refund = account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Refund("o-3", "o-3:payment", replyTo));
    assertInstanceOf(StepOutcome.Succeeded.class, refund.reply());
    var again = account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Refund("o-3", "o-3:payment", replyTo));
    assertTrue(again.events().isEmpty());
    assertEquals(1_000, again.state().available());
    var view = account.<PaymentAccount.AccountView>runCommand(PaymentAccount.GetAccount::new).reply();
    assertEquals(Map.of(), view.charges());
  }

  @Test
  void refusesAChargeThatArrivesAfterItsRefund() {
    var account = account();
    account.<StatusReply<PaymentAccount.AccountView>>runCommand(replyTo -> new PaymentAccount.Deposit(1_000, replyTo));
    var refund = account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Refund("o-4", "o-4:payment", replyTo));
    assertInstanceOf(PaymentAccount.RefundTombstoned.class, refund.event());
    var late = account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Charge("o-4", 500, "o-4:payment", SOON, replyTo));
    assertInstanceOf(StepOutcome.Rejected.class, late.reply());
    assertEquals(1_000, late.state().available());
  }

  @Test
  void refusesAChargeThatArrivesAfterItsDeadlineWithoutApplyingIt() {
    var account = account();
    account.<StatusReply<PaymentAccount.AccountView>>runCommand(replyTo -> new PaymentAccount.Deposit(1_000, replyTo));
    Instant past = Instant.now().minusMillis(1);
    var late = account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Charge("o-6", 300, "o-6:payment", past, replyTo));
    assertInstanceOf(StepOutcome.Failed.class, late.reply());
    assertTrue(late.events().isEmpty());
    assertEquals(1_000, late.state().available());
  }

  @Test
  void forgetsTheRecordsOfEndedSagasAfterTheGraceAndKeepsTheBalance() {
    var account = account();
    account.<StatusReply<PaymentAccount.AccountView>>runCommand(replyTo -> new PaymentAccount.Deposit(1_000, replyTo));
    account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Charge("o-7", 400, "o-7:payment", SOON, replyTo));
    account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Charge("o-8", 100, "o-8:payment", SOON, replyTo));
    account.runCommand(new PaymentAccount.Forget("o-7:payment", Instant.now()));
    Eventually.within(Duration.ofSeconds(5), () -> assertEquals(Set.of("o-8:payment"), account.getState().byKey().keySet()));
    assertEquals(500, account.getState().available());
    var restarted = account.restart();
    assertEquals(Set.of("o-8:payment"), restarted.state().byKey().keySet());
    assertEquals(500, restarted.state().available());
  }

  @Test
  void forgetsReservationsOfEndedSagasAfterTheGrace() {
    var item = EventSourcedBehaviorTestKit.<InventoryItem.Command, InventoryItem.Event, IdempotentLedger>create(
        testKit.system(), InventoryItem.create("s-9", FORGET_AFTER));
    item.<StatusReply<InventoryItem.ItemView>>runCommand(replyTo -> new InventoryItem.Restock(5, replyTo));
    item.<StepOutcome>runCommand(replyTo -> new InventoryItem.ReserveStock("o-9", 2, "o-9:inventory", SOON, replyTo));
    item.runCommand(new InventoryItem.Forget("o-9:inventory", Instant.now()));
    Eventually.within(Duration.ofSeconds(5), () -> assertTrue(item.getState().byKey().isEmpty()));
    assertEquals(3, item.getState().available());
  }

  @Test
  void keepsARecordUntilTheDeadlineOfItsActionsHasPassed() {
    var account = account();
    account.<StatusReply<PaymentAccount.AccountView>>runCommand(replyTo -> new PaymentAccount.Deposit(1_000, replyTo));
    Instant actionsNotAfter = Instant.now().plusMillis(1_500);
    account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Charge("o-10", 400, "o-10:payment", actionsNotAfter, replyTo));
    account.runCommand(new PaymentAccount.Forget("o-10:payment", actionsNotAfter));
    Eventually.within(Duration.ofSeconds(5), () -> assertTrue(account.getState().byKey().isEmpty()));
    // A late repeat of the charge could still arrive until its deadline: its record must answer it until then.
    assertTrue(Instant.now().isAfter(actionsNotAfter.plus(FORGET_AFTER)), "forgotten before the deadline and grace had passed");
  }

  @Test
  void survivesARestartWithTheSameState() {
    var account = account();
    account.<StatusReply<PaymentAccount.AccountView>>runCommand(replyTo -> new PaymentAccount.Deposit(1_000, replyTo));
    account.<StepOutcome>runCommand(replyTo -> new PaymentAccount.Charge("o-5", 250, "o-5:payment", SOON, replyTo));
    var restarted = account.restart();
    assertEquals(750, restarted.state().available());
  }

  @Test
  void reservesStockOnceAndReleasesIt() {
    var item = EventSourcedBehaviorTestKit.<InventoryItem.Command, InventoryItem.Event, IdempotentLedger>create(
        testKit.system(), InventoryItem.create("s-1", FORGET_AFTER));
    item.<StatusReply<InventoryItem.ItemView>>runCommand(replyTo -> new InventoryItem.Restock(5, replyTo));
    assertInstanceOf(StepOutcome.Rejected.class,
        item.<StepOutcome>runCommand(replyTo -> new InventoryItem.ReserveStock("o-1", 6, "o-1:inventory", SOON, replyTo)).reply());
    assertInstanceOf(StepOutcome.Succeeded.class,
        item.<StepOutcome>runCommand(replyTo -> new InventoryItem.ReserveStock("o-2", 3, "o-2:inventory", SOON, replyTo)).reply());
    var repeat = item.<StepOutcome>runCommand(replyTo -> new InventoryItem.ReserveStock("o-2", 3, "o-2:inventory", SOON, replyTo));
    assertTrue(repeat.events().isEmpty());
    assertEquals(2, repeat.state().available());
    var release = item.<StepOutcome>runCommand(replyTo -> new InventoryItem.ReleaseStock("o-2", "o-2:inventory", replyTo));
    assertEquals(5, release.state().available());
    var tombstone = item.<StepOutcome>runCommand(replyTo -> new InventoryItem.ReleaseStock("o-3", "o-3:inventory", replyTo));
    assertInstanceOf(InventoryItem.ReleaseTombstoned.class, tombstone.event());
    assertInstanceOf(StepOutcome.Rejected.class,
        item.<StepOutcome>runCommand(replyTo -> new InventoryItem.ReserveStock("o-3", 1, "o-3:inventory", SOON, replyTo)).reply());
    assertEquals(Map.of(), item.<InventoryItem.ItemView>runCommand(InventoryItem.GetItem::new).reply().reservations());
  }

  @Test
  void shipsOnlyToServedCountriesAndHonoursAnEarlierCancellation() {
    var served = EventSourcedBehaviorTestKit.<Shipment.Command, Shipment.Event, Shipment.State>create(
        testKit.system(), Shipment.create("o-1", Set.of("NL")));
    assertInstanceOf(StepOutcome.Rejected.class,
        served.<StepOutcome>runCommand(replyTo -> new Shipment.ScheduleShipment("XX", "c", "s", "o-1:shipping", replyTo)).reply());

    var shipment = EventSourcedBehaviorTestKit.<Shipment.Command, Shipment.Event, Shipment.State>create(
        testKit.system(), Shipment.create("o-2", Set.of("NL")));
    assertInstanceOf(StepOutcome.Succeeded.class,
        shipment.<StepOutcome>runCommand(replyTo -> new Shipment.ScheduleShipment("NL", "c", "s", "o-2:shipping", replyTo)).reply());
    assertTrue(shipment.<Shipment.ShipmentView>runCommand(Shipment.GetShipment::new).reply().isActive());
    shipment.<StepOutcome>runCommand(replyTo -> new Shipment.CancelShipment("o-2:shipping", replyTo));
    assertEquals(Shipment.ShipmentStatus.CANCELLED, shipment.<Shipment.ShipmentView>runCommand(Shipment.GetShipment::new).reply().status());

    var overtaken = EventSourcedBehaviorTestKit.<Shipment.Command, Shipment.Event, Shipment.State>create(
        testKit.system(), Shipment.create("o-3", Set.of("NL")));
    overtaken.<StepOutcome>runCommand(replyTo -> new Shipment.CancelShipment("o-3:shipping", replyTo));
    assertInstanceOf(StepOutcome.Rejected.class,
        overtaken.<StepOutcome>runCommand(replyTo -> new Shipment.ScheduleShipment("NL", "c", "s", "o-3:shipping", replyTo)).reply());
  }
}
