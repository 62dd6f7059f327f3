package io.sagaorchestrator.order.readside;

import akka.actor.typed.ActorSystem;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.infra.readside.ReadSideDatabase;
import io.sagaorchestrator.order.OrderEntity;
import io.sagaorchestrator.order.readside.LedgerEntry.Holding;
import io.sagaorchestrator.order.readside.LedgerEntry.Participant;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Reads of the order module's read-side tables ({@link OrderReadModel}), one page at a time. */
public final class OrderQueries {
  private final ReadSideDatabase database;
  private final ObjectMapper json;

  /** What an account or SKU holds per order, by order id, and the last order id shown if more follow. */
  public record Holdings(Map<String, Long> byOrder, Optional<String> next) {}

  /** A ledger page, oldest first, and the last sequence number shown if more follow. */
  public record Ledger(List<LedgerEntry> entries, Optional<Long> next) {}

  public OrderQueries(ActorSystem<?> system, ReadSideDatabase database) {
    this.database = database;
    this.json = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
  }

  /** The order as it was placed, if the read side has it. */
  public CompletionStage<Optional<OrderEntity.PlacedOrder>> placed(String orderId) {
    return database.query(connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT placed FROM order_placed WHERE order_id = ?")) {
        select.setString(1, orderId);
        try (ResultSet rs = select.executeQuery()) {
          return rs.next() ? Optional.of(parse(rs.getString(1))) : Optional.empty();
        }
      }
    });
  }

  /** What {@code entityId} holds for orders now (charges or reservations not given back), after {@code afterOrder}. */
  public CompletionStage<Holdings> held(Participant participant, String entityId, int limit, Optional<String> afterOrder) {
    return database.query(connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT order_id, amount FROM participant_holding "
          + "WHERE participant = ? AND entity_id = ? AND status = ? AND order_id > ? ORDER BY order_id FETCH FIRST ? ROWS ONLY")) {
        select.setString(1, participant.name());
        select.setString(2, entityId);
        select.setString(3, Holding.HELD.name());
        select.setString(4, afterOrder.orElse(""));
        select.setInt(5, limit + 1);
        Map<String, Long> held = new LinkedHashMap<>();
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) held.put(rs.getString(1), rs.getLong(2));
        }
        if (held.size() <= limit) return new Holdings(held, Optional.empty());
        Map<String, Long> page = new LinkedHashMap<>();
        held.entrySet().stream().limit(limit).forEach(e -> page.put(e.getKey(), e.getValue()));
        return new Holdings(page, Optional.of(List.copyOf(page.keySet()).get(limit - 1)));
      }
    });
  }

  /** {@code entityId}'s ledger after sequence number {@code afterSeq}, oldest first. */
  public CompletionStage<Ledger> ledger(Participant participant, String entityId, int limit, long afterSeq) {
    return database.query(connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT seq_nr, kind, order_id, amount, detail, at "
          + "FROM participant_ledger WHERE participant = ? AND entity_id = ? AND seq_nr > ? ORDER BY seq_nr FETCH FIRST ? ROWS ONLY")) {
        select.setString(1, participant.name());
        select.setString(2, entityId);
        select.setLong(3, afterSeq);
        select.setInt(4, limit + 1);
        List<LedgerEntry> entries = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            entries.add(new LedgerEntry(participant, entityId, rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                rs.getString(5), null, rs.getTimestamp(6).toInstant()));
          }
        }
        if (entries.size() <= limit) return new Ledger(entries, Optional.empty());
        List<LedgerEntry> page = List.copyOf(entries.subList(0, limit));
        return new Ledger(page, Optional.of(page.get(limit - 1).seqNr()));
      }
    });
  }

  private OrderEntity.PlacedOrder parse(String text) throws SQLException {
    try {
      return json.readValue(text, OrderEntity.PlacedOrder.class);
    } catch (JsonProcessingException e) {
      throw new SQLException("an order_placed row cannot be read: " + e.getMessage(), e);
    }
  }
}
