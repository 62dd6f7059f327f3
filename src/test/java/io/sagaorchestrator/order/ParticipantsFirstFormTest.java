package io.sagaorchestrator.order;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import io.sagaorchestrator.order.shipping.Shipment;
import io.sagaorchestrator.participants.IdempotentLedger;
import io.sagaorchestrator.participants.IdempotentLedger.Hold;
import io.sagaorchestrator.participants.IdempotentLedger.Standing;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events and snapshots the first released build stored for payment, inventory and shipping (the
 * fixtures' bytes and manifests were written by that build, when those entities lived in
 * {@code io.sagaorchestrator.participants.*} and each kept its own state type) are read into
 * today's classes: the same events in the order module, the snapshots as an {@link IdempotentLedger}.
 */
class ParticipantsFirstFormTest {
  private static ActorTestKit testKit;
  private static Serialization serialization;
  private static final Map<String, String[]> STORED = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create(ConfigFactory.parseResources("saga-serialization.conf").withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(testKit.system().classicSystem());
    String manifests = new String(OrderPlacedMigrationTest.fixture("manifests-v1.txt"), StandardCharsets.UTF_8);
    for (String line : manifests.split("\n")) {
      String[] fields = line.trim().split(" ");
      STORED.put(fields[0], new String[] {fields[1], fields[2]});
    }
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Object read(String fixture) throws Exception {
    String[] stored = STORED.get(fixture);
    return serialization.deserialize(OrderPlacedMigrationTest.fixture(fixture + ".cbor"), Integer.parseInt(stored[0]), stored[1]).get();
  }

  @Test
  void readsEventsStoredBeforeTheMoveIntoTheOrderModule() throws Exception {
    assertEquals(new PaymentAccount.Charged("o-1", 2_000, "o-1:payment"), read("payment-charged-v1"));
    assertEquals(new InventoryItem.StockReserved("o-1", 4, "o-1:inventory"), read("inventory-stock-reserved-v1"));
    assertEquals(new Shipment.ShipmentScheduled("NL", "Utrecht", "Main 1", "o-1:shipping"), read("shipment-scheduled-v1"));
  }

  @Test
  void readsAnAccountSnapshotAsALedger() throws Exception {
    IdempotentLedger account = (IdempotentLedger) read("payment-account-state-v1");
    assertEquals(10_000, account.added());
    assertEquals(7_000, account.available());
    assertEquals(new Hold("o-1", Standing.HELD, 2_000, null), account.byKey().get("o-1:payment"));
    assertEquals(new Hold("o-2", Standing.REJECTED, 0, "insufficient credit"), account.byKey().get("o-2:payment"));
    assertEquals(new Hold("o-3", Standing.UNDONE, 1_000, null), account.byKey().get("o-3:payment"));
    assertEquals(new Hold("o-4", Standing.TOMBSTONE, 0, null), account.byKey().get("o-4:payment"));
    assertEquals(Map.of("o-1", 2_000L, "o-5", 1_000L), account.heldByOrder());
  }

  @Test
  void readsAStockSnapshotAsALedger() throws Exception {
    IdempotentLedger item = (IdempotentLedger) read("inventory-item-state-v1");
    assertEquals(50, item.added());
    assertEquals(46, item.available());
    assertEquals(new Hold("o-3", Standing.UNDONE, 2, null), item.byKey().get("o-3:inventory"));
    assertEquals(Map.of("o-1", 4L), item.heldByOrder());
  }
}
