package io.sagaorchestrator.order.readside;

import akka.actor.typed.ActorSystem;
import akka.projection.eventsourced.EventEnvelope;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.infra.readside.ReadModel;
import io.sagaorchestrator.order.OrderEntity;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The order module's tables on the read side: {@code order_placed} (each order as placed, so an
 * ended order is answered without waking its entity), {@code participant_ledger} (every charge,
 * refund, reservation and release, kept after the participants forget their idempotency
 * records) and {@code participant_holding} (what each order holds at each account and SKU now).
 */
public final class OrderReadModel implements ReadModel {
  private static final String ORDER = OrderEntity.ENTITY_TYPE_KEY.name() + "|";
  private static final String ACCOUNT = PaymentAccount.ENTITY_TYPE_KEY.name() + "|";
  private static final String ITEM = InventoryItem.ENTITY_TYPE_KEY.name() + "|";

  private final ObjectMapper json;
  private final JournalConfig.Kind database;

  public OrderReadModel(ActorSystem<?> system, JournalConfig.Kind database) {
    this.json = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
    this.database = database;
  }

  @Override
  public boolean keeps(String persistenceId) {
    return persistenceId.startsWith(ORDER) || persistenceId.startsWith(ACCOUNT) || persistenceId.startsWith(ITEM);
  }

  @Override
  public List<String> schema(JournalConfig.Kind database) {
    String text = database == JournalConfig.Kind.POSTGRES ? "TEXT" : "CHARACTER LARGE OBJECT";
    String time = "TIMESTAMP WITH TIME ZONE";
    return List.of(
        "CREATE TABLE IF NOT EXISTS order_placed (order_id VARCHAR(255) NOT NULL PRIMARY KEY, placed " + text + " NOT NULL)",
        "CREATE TABLE IF NOT EXISTS participant_ledger (participant VARCHAR(16) NOT NULL, entity_id VARCHAR(255) NOT NULL, "
            + "seq_nr BIGINT NOT NULL, kind VARCHAR(32) NOT NULL, order_id VARCHAR(255), amount BIGINT NOT NULL, "
            + "detail VARCHAR(4000), at " + time + " NOT NULL, PRIMARY KEY (participant, entity_id, seq_nr))",
        "CREATE TABLE IF NOT EXISTS participant_holding (participant VARCHAR(16) NOT NULL, entity_id VARCHAR(255) NOT NULL, "
            + "order_id VARCHAR(255) NOT NULL, amount BIGINT NOT NULL, status VARCHAR(16) NOT NULL, updated_at " + time + " NOT NULL, "
            + "PRIMARY KEY (participant, entity_id, order_id))");
  }

  @Override
  public void apply(Connection connection, List<EventEnvelope<Object>> events) throws SQLException {
    List<OrderEntity.OrderPlaced> placed = new ArrayList<>();
    List<LedgerEntry> entries = new ArrayList<>();
    for (EventEnvelope<Object> envelope : events) {
      if (envelope.event() instanceof OrderEntity.OrderPlaced order) placed.add(order);
      else LedgerEntry.of(envelope).ifPresent(entries::add);
    }
    insertPlaced(connection, placed);
    insertEntries(connection, entries);
    upsertHoldings(connection, entries.stream().filter(entry -> entry.holding() != null).toList());
  }

  private void insertPlaced(Connection connection, List<OrderEntity.OrderPlaced> placed) throws SQLException {
    if (placed.isEmpty()) return;
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO order_placed (order_id, placed) VALUES (?, ?)")) {
      for (OrderEntity.OrderPlaced order : placed) {
        insert.setString(1, order.order().orderId());
        insert.setString(2, render(new OrderEntity.PlacedOrder(order.order(), order.idempotencyKey(), order.correlationId(),
            order.placedAt())));
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private static void insertEntries(Connection connection, List<LedgerEntry> entries) throws SQLException {
    if (entries.isEmpty()) return;
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO participant_ledger "
        + "(participant, entity_id, seq_nr, kind, order_id, amount, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (LedgerEntry entry : entries) {
        insert.setString(1, entry.participant().name());
        insert.setString(2, entry.entityId());
        insert.setLong(3, entry.seqNr());
        insert.setString(4, entry.kind());
        insert.setString(5, entry.orderId());
        insert.setLong(6, entry.amount());
        insert.setString(7, entry.detail());
        insert.setTimestamp(8, Timestamp.from(entry.at()));
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /** In journal order, so an order's refund after its charge within one group ends as RETURNED. */
  private void upsertHoldings(Connection connection, List<LedgerEntry> entries) throws SQLException {
    if (entries.isEmpty()) return;
    String sql = database == JournalConfig.Kind.POSTGRES
        ? "INSERT INTO participant_holding (amount, status, updated_at, participant, entity_id, order_id) VALUES (?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (participant, entity_id, order_id) DO UPDATE SET amount = EXCLUDED.amount, status = EXCLUDED.status, "
            + "updated_at = EXCLUDED.updated_at"
        : "MERGE INTO participant_holding (amount, status, updated_at, participant, entity_id, order_id) "
            + "KEY (participant, entity_id, order_id) VALUES (?, ?, ?, ?, ?, ?)";
    try (PreparedStatement upsert = connection.prepareStatement(sql)) {
      for (LedgerEntry entry : entries) {
        upsert.setLong(1, entry.amount());
        upsert.setString(2, entry.holding().name());
        upsert.setTimestamp(3, Timestamp.from(entry.at()));
        upsert.setString(4, entry.participant().name());
        upsert.setString(5, entry.entityId());
        upsert.setString(6, entry.orderId());
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }

  private String render(OrderEntity.PlacedOrder placed) {
    try {
      return json.writeValueAsString(placed);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("order " + placed.order().orderId() + " cannot be written as JSON", e);
    }
  }
}
