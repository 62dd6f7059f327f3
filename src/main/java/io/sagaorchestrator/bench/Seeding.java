package io.sagaorchestrator.bench;

import io.sagaorchestrator.client.NodeClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/** Deposits and restocks exactly what the planned orders need, through the admin API. */
final class Seeding {
  /** Requests in flight at once while seeding. */
  private static final int BATCH = 32;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Seeding() {}

  static void seed(NodeClient node, OrderPlan plan, PrintWriter out) {
    long[] credit = plan.creditNeeded();
    long[] stock = plan.stockNeeded();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    long started = System.nanoTime();
    for (int c = 0; c < credit.length; c++) {
      if (credit[c] > 0) pending.add(post(node, "/admin/accounts/" + plan.customerId(c) + "/deposit", "{\"amountCents\":" + credit[c] + "}"));
      if (pending.size() >= BATCH) drain(pending);
    }
    for (int s = 0; s < stock.length; s++) {
      if (stock[s] > 0) pending.add(post(node, "/admin/inventory/" + plan.skuId(s) + "/restock", "{\"quantity\":" + stock[s] + "}"));
      if (pending.size() >= BATCH) drain(pending);
    }
    drain(pending);
    out.printf(Locale.ROOT, "seeded %d customers and %d SKUs through the admin API in %d ms%n", plan.customers(), plan.skus(),
        (System.nanoTime() - started) / 1_000_000);
    out.flush();
  }

  private static CompletableFuture<Void> post(NodeClient node, String path, String json) {
    return node.adminPostAsync(path, json, TIMEOUT).thenAccept(response -> {
      if (response.status() != 200) {
        throw new IllegalStateException("seeding " + path + " failed: HTTP " + response.status() + " " + response.body());
      }
    });
  }

  private static void drain(List<CompletableFuture<Void>> pending) {
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    pending.clear();
  }
}
