package io.sagaorchestrator.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.typed.PersistenceId;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.order.domain.OrderData;
import io.sagaorchestrator.order.domain.OrderLine;
import io.sagaorchestrator.order.domain.ShippingAddress;
import io.sagaorchestrator.orchestrator.SagaData;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.order.OrderEntity.Accepted;
import io.sagaorchestrator.order.OrderEntity.Conflict;
import io.sagaorchestrator.order.OrderEntity.EnsureSaga;
import io.sagaorchestrator.order.OrderEntity.GetOrder;
import io.sagaorchestrator.order.OrderEntity.OrderPlaced;
import io.sagaorchestrator.order.OrderEntity.PlaceOrder;
import io.sagaorchestrator.order.OrderEntity.PlaceOrderReply;
import io.sagaorchestrator.order.OrderEntity.Placed;
import io.sagaorchestrator.order.OrderEntity.PlacedOrder;
import io.sagaorchestrator.order.OrderEntity.Unavailable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an order stores, told as stories: one {@link OrderPlaced} per order, whatever the client
 * repeats and however its saga answers. The order starts its saga through Cluster Sharding; here
 * the saga entity is a stand-in that hands each command to the test, which answers it. The testkit
 * checks that every command, event and state survives serialization, and
 * {@code akka.actor.serialize-messages} is on.
 */
class OrderEntityEventsTest {
  /** The client's patience: the order asks its saga for half of it. */
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PASSIVATE_AFTER = Duration.ofMinutes(10);
  private static final Instant ANY_TIME = Instant.EPOCH;

  /** The saga stand-in of each order id: the probe of the test that placed that order. */
  private static final Map<String, TestProbe<SagaEntity.Command>> SAGAS = new ConcurrentHashMap<>();

  private static ActorTestKit testKit;

  private final String orderId = "o-" + UUID.randomUUID();
  private final OrderData order = new OrderData(orderId, "c-1", List.of(new OrderLine("sku-1", 2, 1_000)),
      new ShippingAddress("NL", "Utrecht", "Oudegracht 1"));
  private final TestProbe<SagaEntity.Command> saga = testKit.createTestProbe();
  private final TestProbe<PlaceOrderReply> client = testKit.createTestProbe();
  private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
  private final EventSourcedBehaviorTestKit<OrderEntity.Command, OrderEntity.Event, OrderEntity.State> entity;

  OrderEntityEventsTest() {
    SAGAS.put(orderId, saga);
    entity = EventSourcedBehaviorTestKit.create(testKit.system(), OrderEntity.create(orderId, ASK_TIMEOUT, PASSIVATE_AFTER, shard.getRef()));
  }

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("order-entity-events", EventSourcedBehaviorTestKit.config()
        .withFallback(ConfigFactory.parseString("""
            akka.actor.provider = cluster
            akka.remote.artery.canonical.hostname = "127.0.0.1"
            """))
        .withFallback(ConfigFactory.parseResources("saga-test.conf"))
        .withFallback(ConfigFactory.parseResources("saga-serialization.conf")));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    ClusterSharding.get(testKit.system()).init(Entity.of(SagaEntity.ENTITY_TYPE_KEY, context -> sagaStandIn(context.getEntityId())));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
      assertEquals(MemberStatus.up(), cluster.selfMember().status());
      return null;
    });
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Behavior<SagaEntity.Command> sagaStandIn(String sagaId) {
    return Behaviors.receiveMessage(command -> {
      SAGAS.get(sagaId).getRef().tell(command);
      return Behaviors.same();
    });
  }

  // ---- stories --------------------------------------------------------------------------

  @Test
  void storesThePlacedOrderStartsItsSagaAndAcceptsOnceTheSagaConfirms() {
    var placing = entity.runCommand(new PlaceOrder(order, "key-1", "corr-1", client.getRef()));

    OrderPlaced placed = assertInstanceOf(OrderPlaced.class, placing.event());
    assertEquals(List.of(new OrderPlaced(order, "key-1", "corr-1", ANY_TIME)), withoutTime(placing.events()));
    assertEquals(new Placed(new PlacedOrder(order, "key-1", "corr-1", placed.placedAt())), placing.state());
    var start = expectSagaStart();
    client.expectNoMessage(Duration.ofMillis(200));

    start.replyTo().tell(StatusReply.ack());
    client.expectMessage(new Accepted(orderId, true));
  }

  @Test
  void storesNothingWhenTheSameOrderIsPlacedAgain() {
    placeAndConfirm();

    var again = entity.runCommand(new PlaceOrder(order, "key-1", "corr-1", client.getRef()));
    assertTrue(again.events().isEmpty());
    // Starting a saga is idempotent: the order asks again, and the saga acknowledges a repeat.
    expectSagaStart().replyTo().tell(StatusReply.ack());
    client.expectMessage(new Accepted(orderId, false));
    assertEquals(1, journal().size());
  }

  @Test
  void refusesADifferentOrderUnderTheSameIdAndStoresNothing() {
    placeAndConfirm();
    var other = new OrderData(orderId, "c-2", order.items(), order.shippingAddress());

    var conflict = entity.<PlaceOrderReply>runCommand(replyTo -> new PlaceOrder(other, "key-2", "corr-2", replyTo));
    assertEquals(new Conflict("order " + orderId + " exists with a different body"), conflict.reply());
    assertTrue(conflict.events().isEmpty());
    saga.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void answersUnavailableWhenTheSagaDoesNotConfirmAndKeepsStartingIt() {
    entity.runCommand(new PlaceOrder(order, "key-1", "corr-1", client.getRef()));
    expectSagaStart().replyTo().tell(StatusReply.error("shards are moving"));
    client.expectMessage(new Unavailable(
        "order " + orderId + " is stored but its saga did not confirm in time; it will start, retry to see it"));

    // The order is stored, so it tries again on its own (after about 200 ms) until its saga exists.
    expectSagaStart().replyTo().tell(StatusReply.ack());
    client.expectNoMessage(Duration.ofMillis(200));
    saga.expectNoMessage(Duration.ofMillis(400));
    assertEquals(List.of(new OrderPlaced(order, "key-1", "corr-1", ANY_TIME)), withoutTime(journal()));
  }

  @Test
  void startsItsSagaAgainWhenAPlacedOrderRecovers() {
    placeAndConfirm();

    var restarted = entity.restart();
    assertInstanceOf(Placed.class, restarted.state());
    // The saga may have been lost before its first write: recovery asks for it again, announced as before.
    expectSagaStart().replyTo().tell(StatusReply.ack());
    assertEquals(1, journal().size(), "recovery stores nothing");
  }

  @Test
  void startsItsSagaAgainWhenTheKeeperAsksAPlacedOrder() {
    placeAndConfirm();

    var ensured = entity.runCommand(EnsureSaga.INSTANCE);
    assertTrue(ensured.events().isEmpty());
    expectSagaStart().replyTo().tell(StatusReply.ack());
  }

  @Test
  void aKeeperWakeUpForAnOrderNeverPlacedStoresNothing() {
    var ensured = entity.runCommand(EnsureSaga.INSTANCE);
    assertTrue(ensured.events().isEmpty());
    assertInstanceOf(OrderEntity.NoOrder.class, ensured.state());

    var read = entity.<StatusReply<PlacedOrder>>runCommand(GetOrder::new);
    assertTrue(read.reply().isError());
    assertEquals("order " + orderId + " not found", read.reply().getError().getMessage());
    saga.expectNoMessage(Duration.ofMillis(200));
  }

  // ---- helpers --------------------------------------------------------------------------

  private void placeAndConfirm() {
    entity.runCommand(new PlaceOrder(order, "key-1", "corr-1", client.getRef()));
    expectSagaStart().replyTo().tell(StatusReply.ack());
    client.expectMessage(new Accepted(orderId, true));
  }

  /** The order's saga is the order saga, of the same id, over the order's data, and announced (see {@link OrderEntity}). */
  private SagaEntity.StartSaga expectSagaStart() {
    var start = assertInstanceOf(SagaEntity.StartSaga.class, saga.receiveMessage(Duration.ofSeconds(10)));
    assertEquals(OrderSaga.NAME, start.definition());
    assertEquals(order, SagaData.fromTree(start.data(), OrderData.class));
    assertEquals("corr-1", start.correlationId());
    assertTrue(start.announced());
    return start;
  }

  private List<OrderEntity.Event> journal() {
    String persistenceId = PersistenceId.of(OrderEntity.ENTITY_TYPE_KEY.name(), orderId).id();
    return entity.persistenceTestKit().persistedInStorage(persistenceId).stream().map(OrderEntity.Event.class::cast).toList();
  }

  private static List<OrderEntity.Event> withoutTime(List<OrderEntity.Event> events) {
    return events.stream().<OrderEntity.Event>map(e -> {
      OrderPlaced placed = (OrderPlaced) e;
      return new OrderPlaced(placed.order(), placed.idempotencyKey(), placed.correlationId(), ANY_TIME);
    }).toList();
  }
}
