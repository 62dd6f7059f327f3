package io.sagaorchestrator.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.client.NodeClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A mixed order load for crash and cluster tests: most orders complete; some go to an unserved
 * country, some to a customer without credit, some to a nearly empty SKU. It remembers which
 * orders got a 202 and checks the ledgers afterwards.
 */
public final class OrderLoad {
  public static final String POOR_CUSTOMER = "poor";
  public static final String SCARCE_SKU = "scarce";

  public record PlannedOrder(String orderId, String customerId, String sku, int quantity, long unitPriceCents, String country) {
    long total() {
      return quantity * unitPriceCents;
    }
  }

  private final String runId = Orders.uniqueId("run");
  private final List<String> customers = new ArrayList<>();
  private final List<String> skus = new ArrayList<>();
  private final List<PlannedOrder> plan = new ArrayList<>();
  private final Map<String, Integer> answers = new ConcurrentHashMap<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger sent = new AtomicInteger();

  public OrderLoad(int orders, int customerCount, int skuCount) {
    for (int i = 0; i < customerCount; i++) customers.add(runId + "-c" + i);
    for (int i = 0; i < skuCount; i++) skus.add(runId + "-s" + i);
    customers.add(runId + "-" + POOR_CUSTOMER);
    skus.add(runId + "-" + SCARCE_SKU);
    for (int i = 0; i < orders; i++) {
      String customer = i % 20 == 7 ? runId + "-" + POOR_CUSTOMER : customers.get(i % customerCount);
      String sku = i % 20 == 13 ? runId + "-" + SCARCE_SKU : skus.get(i % skuCount);
      String country = i % 10 == 3 ? "XX" : "NL";
      plan.add(new PlannedOrder(runId + "-o" + i, customer, sku, 1 + i % 3, 100 + i % 7, country));
    }
  }

  /** Credit and stock for everyone but the poor customer and the scarce SKU. */
  public void seed(NodeClient api) {
    Orders orders = new Orders(api);
    customers.stream().filter(c -> !c.endsWith(POOR_CUSTOMER)).forEach(c -> orders.deposit(c, 100_000_000));
    orders.deposit(runId + "-" + POOR_CUSTOMER, 1);
    skus.stream().filter(s -> !s.endsWith(SCARCE_SKU)).forEach(s -> orders.restock(s, 1_000_000));
    orders.restock(runId + "-" + SCARCE_SKU, 5);
  }

  public int acceptedCount() {
    return accepted.get();
  }

  public int sentCount() {
    return sent.get();
  }

  public Set<String> acceptedOrders() {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    answers.forEach((id, status) -> {
      if (status == 202) ids.add(id);
    });
    return ids;
  }

  /** Places every planned order through {@code target} (asked per order), with {@code concurrency} in flight. */
  public Future<?> start(Supplier<NodeClient> target, int concurrency) {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    AtomicInteger next = new AtomicInteger();
    for (int t = 0; t < concurrency; t++) {
      pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < plan.size(); i = next.getAndIncrement()) {
          PlannedOrder o = plan.get(i);
          int status;
          try {
            status = target.get().post("/orders", Orders.orderJson(o.orderId(), o.customerId(), o.sku(), o.quantity(), o.unitPriceCents(), o.country())).status();
          } catch (RuntimeException e) {
            status = -1;
          }
          answers.put(o.orderId(), status);
          sent.incrementAndGet();
          if (status == 202) accepted.incrementAndGet();
        }
      });
    }
    pool.shutdown();
    return Executors.newSingleThreadExecutor(r -> {
      Thread thread = new Thread(r, "order-load-wait");
      thread.setDaemon(true);
      return thread;
    }).submit(() -> pool.awaitTermination(10, TimeUnit.MINUTES));
  }

  /** Answers other than 202, by status (-1: no answer at all). */
  public Map<Integer, Integer> failedAnswers() {
    Map<Integer, Integer> failures = new HashMap<>();
    answers.values().stream().filter(s -> s != 202).forEach(s -> failures.merge(s, 1, Integer::sum));
    return failures;
  }

  /**
   * Every accepted order exists and its saga has ended (or is parked); returns the order status of
   * every planned order that exists (an order that never got its 202 may exist too).
   */
  public Map<String, String> awaitAllSettled(NodeClient api, Duration deadline) {
    Map<String, String> statuses = new ConcurrentHashMap<>();
    Set<String> acceptedIds = acceptedOrders();
    Eventually.within(deadline, () -> {
      for (PlannedOrder o : plan) {
        if (statuses.containsKey(o.orderId())) continue;
        NodeClient.Response order = api.get("/orders/" + o.orderId());
        if (order.status() == 404) {
          assertTrue(!acceptedIds.contains(o.orderId()), "accepted order " + o.orderId() + " was lost");
          continue;
        }
        assertEquals(200, order.status(), order.json().toString());
        String saga = order.text("sagaStatus");
        if (!Set.of("COMPLETED", "COMPENSATED", "PARKED").contains(saga)) throw new AssertionError(o.orderId() + " still " + saga);
        statuses.put(o.orderId(), order.text("status"));
      }
    });
    return statuses;
  }

  /**
   * Polls {@code GET /admin/audit} until every invariant of docs/design.md §4 holds (which needs every
   * saga ended and every order with its saga) and returns the last report; fails with the
   * violations still open at the deadline.
   */
  public static JsonNode awaitCleanAudit(NodeClient api, Duration deadline) {
    JsonNode[] last = new JsonNode[1];
    Eventually.within(deadline, () -> {
      NodeClient.Response audit = api.adminGet("/admin/audit");
      last[0] = audit.json();
      assertEquals(200, audit.status(), audit.json().toString());
      assertTrue(audit.json().get("ok").asBoolean(), "audit: " + audit.json());
    });
    return last[0];
  }

  /**
   * docs/design.md §4 for credit and stock: what left each account and SKU is exactly what its COMPLETED
   * orders took, and whatever a view lists as held belongs to a COMPLETED order. (What each order holds
   * comes from the read side, a moment behind the balances.)
   */
  public void assertLedgersBalance(NodeClient api, Map<String, String> statuses) {
    Map<String, Long> completedCharges = new HashMap<>();
    Map<String, Long> completedQuantities = new HashMap<>();
    for (PlannedOrder o : plan) {
      if ("COMPLETED".equals(statuses.get(o.orderId()))) {
        completedCharges.merge(o.customerId(), o.total(), Long::sum);
        completedQuantities.merge(o.sku(), (long) o.quantity(), Long::sum);
      }
    }
    Eventually.within(Duration.ofSeconds(15), () -> {
      for (String customer : customers) {
        JsonNode account = api.adminGet("/admin/accounts/" + customer).json();
        for (var charge : (Iterable<Map.Entry<String, JsonNode>>) account.get("charges")::fields) {
          assertEquals("COMPLETED", statuses.get(charge.getKey()), "charge held for " + charge.getKey() + " in " + account);
        }
        assertEquals(completedCharges.getOrDefault(customer, 0L),
            account.get("depositedCents").asLong() - account.get("availableCents").asLong(), "credit taken from " + customer);
      }
      for (String sku : skus) {
        JsonNode item = api.adminGet("/admin/inventory/" + sku).json();
        for (var reservation : (Iterable<Map.Entry<String, JsonNode>>) item.get("reservations")::fields) {
          assertEquals("COMPLETED", statuses.get(reservation.getKey()), "reservation held for " + reservation.getKey() + " in " + item);
        }
        assertEquals(completedQuantities.getOrDefault(sku, 0L),
            item.get("restocked").asLong() - item.get("available").asLong(), "stock taken from " + sku);
      }
    });
  }
}
