package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.sagaorchestrator.CborSerializable;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.order.domain.OrderData;
import io.sagaorchestrator.order.domain.OrderLine;
import io.sagaorchestrator.order.domain.ShippingAddress;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.orchestrator.SagaData;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaKeeper;
import io.sagaorchestrator.order.OrderEntity;
import io.sagaorchestrator.order.OrderPlacedMigrationTest;
import io.sagaorchestrator.order.OrderSaga;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.OrderLoad;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.TestConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Semantic 8/10: a node stopped mid-saga and started again on the same H2 file finishes its sagas
 * by itself, and so does a running node whose saga stopped being in memory.
 */
class NodeRestartTest {
  /** Shipping fails every attempt, with a retry budget that outlasts the test: its sagas stay in flight. */
  private static final String STUCK_SHIPPING = """
      saga.faults.shipping.failure-rate = 1.0
      saga.order-saga.shipping.max-attempts = 100000
      """;

  /** Akka's jackson-cbor serializer, as the first released build stored its events with. */
  private static final int FIRST_FORM_SERIALIZER_ID = 33;


  private static int completedEvents(JournalConfig journal, String sagaId) throws Exception {
    return count(journal, "SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" = ? AND \"event_ser_manifest\" = ?",
        "Saga|" + sagaId, SagaEntity.LastStepSucceeded.class.getName());
  }

  /** Events and snapshots of one persistence id. */
  private static int rowsOf(JournalConfig journal, String persistenceId) throws Exception {
    return count(journal, "SELECT (SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" = ?) "
        + "+ (SELECT COUNT(*) FROM \"snapshot\" WHERE \"persistence_id\" = ?)", persistenceId, persistenceId);
  }

  private static int count(JournalConfig journal, String sql, String... parameters) throws Exception {
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
        PreparedStatement query = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) query.setString(i + 1, parameters[i]);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  /**
   * After a restart every open saga is due at once; the keeper wakes them at its wake-up limit,
   * and those over it at the next polls. Their stall-after outlasts the test, so only the start's
   * wake-ups, deferred ones included, can finish them.
   */
  @Test
  void theKeeperWakesEverySagaInFlightAfterARestartWithinItsWakeUpLimit() throws Exception {
    try (DataDir dataDir = new DataDir("restart-wake-limit")) {
      String customer = Orders.uniqueId("c");
      String sku = Orders.uniqueId("s");
      List<String> inFlight = new ArrayList<>();
      try (SagaNode first = SagaNode.start(TestConfig.node(dataDir.path(), STUCK_SHIPPING))) {
        NodeClient api = NodeClient.onLoopback(first.httpPort(), first.adminToken());
        Orders orders = new Orders(api);
        orders.deposit(customer, 10_000);
        orders.restock(sku, 10);
        for (int i = 0; i < 5; i++) {
          String orderId = Orders.uniqueId("o");
          assertEquals(202, orders.place(orderId, customer, sku, 1, 100, "NL").status());
          inFlight.add(orderId);
        }
        for (String orderId : inFlight) {
          Eventually.within(Duration.ofSeconds(10),
              () -> assertEquals("RUNNING", api.get("/sagas/" + orderId).json().get("steps").get(2).get("status").asText()));
        }
      }

      String slowWakes = "saga.keeper { max-wakeups-per-second = 2, stall-after = 10m }";
      try (SagaNode second = SagaNode.start(TestConfig.node(dataDir.path(), slowWakes))) {
        JournalConfig journal = JournalConfig.from(TestConfig.node(dataDir.path()));
        for (String orderId : inFlight) {
          Eventually.within(Orders.SAGA_DEADLINE, () -> assertEquals(1, completedEvents(journal, orderId), orderId));
        }
        assertEquals(9_500, new Orders(NodeClient.onLoopback(second.httpPort(), second.adminToken())).available(customer));
      }
    }
  }

  @Test
  void finishesInFlightSagasAfterARestartWithNoClientAction() throws Exception {
    try (DataDir dataDir = new DataDir("restart")) {
      String customer = Orders.uniqueId("c");
      String sku = Orders.uniqueId("s");
      String inFlight = Orders.uniqueId("o");
      String completed = Orders.uniqueId("o");
      // The first run's shipping always fails transiently (with a retry budget that outlasts the test),
      // so its saga is parked on the shipping step, mid-flight, when the node stops.
      try (SagaNode first = SagaNode.start(TestConfig.node(dataDir.path(), STUCK_SHIPPING))) {
        NodeClient api = NodeClient.onLoopback(first.httpPort(), first.adminToken());
        Orders orders = new Orders(api);
        orders.deposit(customer, 10_000);
        orders.restock(sku, 10);
        assertEquals(202, orders.place(inFlight, customer, sku, 2, 1_000, "NL").status());
        Eventually.within(Duration.ofSeconds(10), () -> {
          JsonNode shipping = api.get("/sagas/" + inFlight).json().get("steps").get(2);
          assertEquals("RUNNING", shipping.get("status").asText());
          assertTrue(shipping.get("attempts").asInt() >= 1);
        });
        assertEquals(8_000, orders.available(customer));
      }

      try (SagaNode second = SagaNode.start(TestConfig.node(dataDir.path()))) {
        NodeClient api = NodeClient.onLoopback(second.httpPort(), second.adminToken());
        Orders orders = new Orders(api);
        // Nobody asks about the saga: the saga keeper wakes it and it resumes. Read the journal
        // itself, since a GET would wake the saga too.
        JournalConfig journal = JournalConfig.from(TestConfig.node(dataDir.path()));
        Eventually.within(Orders.SAGA_DEADLINE, () -> assertEquals(1, completedEvents(journal, inFlight)));
        orders.awaitSagaStatus(inFlight, "COMPLETED");
        JsonNode order = api.get("/orders/" + inFlight).json();
        assertEquals("COMPLETED", order.get("status").asText());
        assertEquals(8_000, orders.available(customer), "charged exactly once across the restart");
        assertEquals(8, orders.stock(sku), "reserved exactly once across the restart");
        JsonNode steps = api.get("/sagas/" + inFlight).json().get("steps");
        assertEquals("SUCCEEDED", steps.get(0).get("status").asText());
        assertEquals(1, steps.get(0).get("attempts").asInt(), "payment was not re-run");

        assertEquals(202, orders.place(completed, customer, sku, 1, 1_000, "NL").status());
        orders.awaitSagaStatus(completed, "COMPLETED");
      }

      try (SagaNode third = SagaNode.start(TestConfig.node(dataDir.path()))) {
        NodeClient api = NodeClient.onLoopback(third.httpPort(), third.adminToken());
        assertEquals("COMPLETED", api.get("/orders/" + inFlight).text("status"));
        assertEquals("COMPLETED", api.get("/orders/" + completed).text("status"));
        assertEquals(7_000, new Orders(api).available(customer));
      }
    }
  }

  /**
   * The crash window of placing an order: the order stored its first event, then the node died
   * before the saga was started. After the restart the saga keeper finds the order without its
   * saga and wakes the order, which starts it.
   */
  @Test
  void startsTheSagaOfAnOrderStoredJustBeforeACrash() throws Exception {
    try (DataDir dataDir = new DataDir("announced")) {
      String customer = Orders.uniqueId("c");
      String sku = Orders.uniqueId("s");
      String orderId = Orders.uniqueId("o");
      try (SagaNode first = SagaNode.start(TestConfig.node(dataDir.path()))) {
        Orders orders = new Orders(NodeClient.onLoopback(first.httpPort(), first.adminToken()));
        orders.deposit(customer, 10_000);
        orders.restock(sku, 10);
        OrderData order = new OrderData(orderId, customer, List.of(new OrderLine(sku, 2, 1_000)), new ShippingAddress("NL", "Utrecht", "Oudegracht 1"));
        store(first.system(), PersistenceId.of(OrderEntity.ENTITY_TYPE_KEY.name(), orderId),
            new OrderEntity.OrderPlaced(order, null, "crash-window", Instant.now()));
      }

      try (SagaNode second = SagaNode.start(TestConfig.node(dataDir.path()))) {
        // No request wakes anything: the keeper does, and the saga completes. Read the journal.
        JournalConfig journal = JournalConfig.from(TestConfig.node(dataDir.path()));
        Eventually.within(Orders.SAGA_DEADLINE, () -> assertEquals(1, completedEvents(journal, orderId)));
        NodeClient api = NodeClient.onLoopback(second.httpPort(), second.adminToken());
        assertEquals("COMPLETED", api.get("/orders/" + orderId).text("status"));
        assertEquals(8_000, new Orders(api).available(customer));
      }
    }
  }

  /**
   * The same crash window with the order stored in its first released form (a fixture written by
   * that build): the keeper recognises it under its old manifest, the migration reads it, the
   * saga completes, and the audit, which reads both forms, finds nothing wrong.
   */
  @Test
  void startsTheSagaOfAnOrderStoredInItsFirstFormBeforeAnUpgrade() throws Exception {
    try (DataDir dataDir = new DataDir("first-form")) {
      try (SagaNode first = SagaNode.start(TestConfig.node(dataDir.path()))) {
        Orders orders = new Orders(NodeClient.onLoopback(first.httpPort(), first.adminToken()));
        orders.deposit("c-v1", 10_000);
        orders.restock("s-v1", 10);
      }
      JournalConfig journal = JournalConfig.from(TestConfig.node(dataDir.path()));
      try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
           PreparedStatement insert = connection.prepareStatement("INSERT INTO \"event_journal\" (\"deleted\", \"persistence_id\", "
               + "\"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_ser_id\", "
               + "\"event_ser_manifest\", \"event_payload\") VALUES (FALSE, 'Order|o-v1', 1, 'first-form', ?, '', ?, ?, ?)")) {
        insert.setLong(1, System.currentTimeMillis());
        insert.setInt(2, FIRST_FORM_SERIALIZER_ID);
        insert.setString(3, "io.sagaorchestrator.order.OrderEntity$OrderPlaced");
        insert.setBytes(4, OrderPlacedMigrationTest.fixture("order-placed-v1.cbor"));
        insert.executeUpdate();
      }

      try (SagaNode second = SagaNode.start(TestConfig.node(dataDir.path()))) {
        Eventually.within(Orders.SAGA_DEADLINE, () -> assertEquals(1, completedEvents(journal, "o-v1")));
        NodeClient api = NodeClient.onLoopback(second.httpPort(), second.adminToken());
        assertEquals("COMPLETED", api.get("/orders/o-v1").text("status"));
        assertEquals("2026-11-20T10:15:30Z", api.get("/orders/o-v1").text("placedAt"));
        assertEquals(8_000, new Orders(api).available("c-v1"));
        JsonNode audit = OrderLoad.awaitCleanAudit(api, Orders.SAGA_DEADLINE);
        assertEquals(1, audit.get("orders").get("COMPLETED").asLong(), audit.toString());
      }
    }
  }

  /**
   * The window in which an order's saga lives in memory only: it was acknowledged (and the order
   * answered 202) before it stored anything, and it stores its first event with its first step's
   * outcome. Here the charge is still on its way (a slow payment) when the node stops. The next
   * node's keeper finds the order without a saga event and wakes the order, which starts the saga
   * again: charged once, completed.
   */
  @Test
  void restartsASagaLostBeforeItsFirstWrite() throws Exception {
    try (DataDir dataDir = new DataDir("unstored")) {
      String customer = Orders.uniqueId("c");
      String sku = Orders.uniqueId("s");
      String orderId = Orders.uniqueId("o");
      String slowPayment = """
          saga.faults.payment.latency-ms = 30000
          saga.order-saga.payment.timeout = 60s
          """;
      JournalConfig journal = JournalConfig.from(TestConfig.node(dataDir.path()));
      try (SagaNode first = SagaNode.start(TestConfig.node(dataDir.path(), slowPayment))) {
        NodeClient api = NodeClient.onLoopback(first.httpPort(), first.adminToken());
        Orders orders = new Orders(api);
        orders.deposit(customer, 10_000);
        orders.restock(sku, 10);
        assertEquals(202, orders.place(orderId, customer, sku, 2, 1_000, "NL").status());
        JsonNode saga = api.get("/sagas/" + orderId).json();
        assertEquals("RUNNING", saga.get("status").asText());
        assertEquals("RUNNING", saga.get("steps").get(0).get("status").asText());
        assertEquals(0, rowsOf(journal, "Saga|" + orderId), "the saga has stored nothing yet");
      }

      try (SagaNode second = SagaNode.start(TestConfig.node(dataDir.path()))) {
        Eventually.within(Orders.SAGA_DEADLINE, () -> assertEquals(1, completedEvents(journal, orderId)));
        NodeClient api = NodeClient.onLoopback(second.httpPort(), second.adminToken());
        assertEquals("COMPLETED", api.get("/orders/" + orderId).text("status"));
        assertEquals(8_000, new Orders(api).available(customer), "charged once");
        assertEquals(8, new Orders(api).stock(sku), "reserved once");
      }
    }
  }

  /**
   * Semantic 8 without a restart: a saga whose actor is gone while the node runs (its node died,
   * its shard moved) makes no progress; the keeper notices and wakes it. The saga's first event
   * is written straight into the journal, so nothing but the keeper can start it.
   */
  @Test
  void wakesARunningSagaThatIsNotInMemory() throws Exception {
    try (DataDir dataDir = new DataDir("stalled")) {
      String customer = Orders.uniqueId("c");
      String sku = Orders.uniqueId("s");
      String sagaId = Orders.uniqueId("o");
      Config config = TestConfig.node(dataDir.path(), "saga.keeper { stall-after = 1s, checkpoint-interval = 100ms }");
      try (SagaNode node = SagaNode.start(config)) {
        Orders orders = new Orders(NodeClient.onLoopback(node.httpPort(), node.adminToken()));
        orders.deposit(customer, 10_000);
        orders.restock(sku, 10);
        OrderData order = new OrderData(sagaId, customer, List.of(new OrderLine(sku, 2, 1_000)), new ShippingAddress("NL", "Utrecht", "Oudegracht 1"));
        var started = new SagaEntity.SagaStarted(sagaId, OrderSaga.NAME, OrderSaga.VERSION, List.of("payment", "inventory", "shipping"),
            SagaData.toTree(order), "stalled", Instant.now());
        store(node.system(), PersistenceId.of(SagaEntity.ENTITY_TYPE_KEY.name(), sagaId), started);

        JournalConfig journal = JournalConfig.from(config);
        Eventually.within(Orders.SAGA_DEADLINE, () -> assertEquals(1, completedEvents(journal, sagaId)));
        assertEquals(8_000, orders.available(customer));
        // The keeper stores where it is, so a restart reads on from there.
        Eventually.within(Duration.ofSeconds(10), () -> assertTrue(rowsOf(journal, SagaKeeper.NAME) > 0));
      }
    }
  }

  private static void store(ActorSystem<?> system, PersistenceId persistenceId, Object event) throws Exception {
    ActorRef<StoreEvent> store = system.systemActorOf(storeOnly(persistenceId, event), "store-" + persistenceId.entityId(), Props.empty());
    AskPattern.<StoreEvent, Done>ask(store, StoreEvent::new, Duration.ofSeconds(5), system.scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  record StoreEvent(ActorRef<Done> replyTo) implements CborSerializable {}

  /** Persists one event exactly as its entity would, and does nothing else. */
  private static Behavior<StoreEvent> storeOnly(PersistenceId persistenceId, Object event) {
    return new EventSourcedBehavior<StoreEvent, Object, String>(persistenceId) {
      @Override
      public String emptyState() {
        return "";
      }

      @Override
      public CommandHandler<StoreEvent, Object, String> commandHandler() {
        return newCommandHandlerBuilder().forAnyState().onAnyCommand((state, command) ->
            Effect().persist(event).thenRun(stored -> command.replyTo().tell(Done.getInstance())));
      }

      @Override
      public EventHandler<String, Object> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent((state, e) -> "stored");
      }
    };
  }
}
