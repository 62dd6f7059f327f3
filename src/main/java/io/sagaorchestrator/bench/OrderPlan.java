package io.sagaorchestrator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.client.NodeClient;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Every order of a run, decided up front from a seed: who buys, which SKU, how many, at what
 * price, and whether it goes to the unserved country (and so compensates at the shipping step).
 * Knowing the orders first lets the seeding deposit exactly what they need.
 */
final class OrderPlan implements Workload {
  static final String UNSERVED_COUNTRY = "XX";
  static final String SERVED_COUNTRY = "NL";

  private final String runId;
  private final int[] customer;
  private final int[] sku;
  private final byte[] quantity;
  private final int[] unitPriceCents;
  private final boolean[] compensating;
  private final int customers;
  private final int skus;

  OrderPlan(String runId, int orders, int customers, int skus, double compensateShare, long seed) {
    this.runId = runId;
    this.customers = customers;
    this.skus = skus;
    customer = new int[orders];
    sku = new int[orders];
    quantity = new byte[orders];
    unitPriceCents = new int[orders];
    compensating = new boolean[orders];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < orders; i++) {
      customer[i] = random.nextInt(customers);
      sku[i] = random.nextInt(skus);
      quantity[i] = (byte) (1 + random.nextInt(3));
      unitPriceCents[i] = 100 + random.nextInt(4_900);
      compensating[i] = random.nextDouble() < compensateShare;
    }
  }

  @Override
  public int size() {
    return customer.length;
  }

  int customers() {
    return customers;
  }

  int skus() {
    return skus;
  }

  @Override
  public String id(int i) {
    return "b" + runId + "-" + i;
  }

  String customerId(int c) {
    return "bench-" + runId + "-c" + c;
  }

  String skuId(int s) {
    return "bench-" + runId + "-s" + s;
  }

  @Override
  public CompletableFuture<NodeClient.Response> place(NodeClient node, int i, Duration timeout) {
    return node.placeOrder(json(i), timeout);
  }

  @Override
  public CompletableFuture<NodeClient.Response> awaitEnd(NodeClient node, String id, Duration wait, Duration timeout) {
    return node.awaitOrder(id, wait, timeout);
  }

  @Override
  public Outcome outcome(JsonNode order) {
    return Outcome.ofOrder(order);
  }

  @Override
  public Outcome expected(int i) {
    return compensating[i] ? Outcome.CANCELLED : Outcome.COMPLETED;
  }

  String json(int i) {
    return "{\"orderId\":\"" + id(i) + "\",\"customerId\":\"" + customerId(customer[i])
        + "\",\"items\":[{\"sku\":\"" + skuId(sku[i]) + "\",\"quantity\":" + quantity[i] + ",\"unitPriceCents\":" + unitPriceCents[i]
        + "}],\"shippingAddress\":{\"country\":\"" + (compensating[i] ? UNSERVED_COUNTRY : SERVED_COUNTRY)
        + "\",\"city\":\"Utrecht\",\"street\":\"Bench " + i + "\"}}";
  }

  /**
   * Credit per customer: the total of all its orders. Orders to the unserved country are
   * charged before shipping refuses them, so they hold credit for a while too; with this much
   * no order is refused for credit or stock, and only the unserved ones compensate.
   */
  long[] creditNeeded() {
    long[] credit = new long[customers];
    for (int i = 0; i < size(); i++) credit[customer[i]] += (long) quantity[i] * unitPriceCents[i];
    return credit;
  }

  long[] stockNeeded() {
    long[] stock = new long[skus];
    for (int i = 0; i < size(); i++) stock[sku[i]] += quantity[i];
    return stock;
  }
}
