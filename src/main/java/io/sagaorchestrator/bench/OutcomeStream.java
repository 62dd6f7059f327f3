package io.sagaorchestrator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.client.NodeClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One node's {@code GET /admin/order-outcomes}: server-sent events, read line by line on a thread
 * of its own. {@link #open} returns once the node says the subscription holds.
 */
final class OutcomeStream implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  interface Listener {
    /** {@code outcome}: COMPLETED, CANCELLED, or PARKED (the order stays PENDING while an operator is needed). */
    void outcome(String orderId, Outcome outcome);

    /** The stream ended or failed; outcomes from then on are not seen. Not called after {@link #close}. */
    void lost(URI node, String why);
  }

  private final URI node;
  private final Stream<String> lines;
  private volatile boolean closed;

  private OutcomeStream(URI node, Stream<String> lines) {
    this.node = node;
    this.lines = lines;
  }

  /** Connects and waits for the {@code subscribed} event; throws with the reason when there is none in {@code patience}. */
  static OutcomeStream open(NodeClient client, Listener listener, Duration patience) throws Exception {
    URI node = client.baseUrl();
    HttpResponse<Stream<String>> response = client.orderOutcomes().get(patience.toMillis(), TimeUnit.MILLISECONDS);
    if (response.statusCode() != 200) {
      response.body().close();
      throw new IOException("HTTP " + response.statusCode());
    }
    OutcomeStream stream = new OutcomeStream(node, response.body());
    CompletableFuture<Void> subscribed = new CompletableFuture<>();
    Thread reader = new Thread(() -> stream.read(listener, subscribed), "bench-outcomes-" + node.getPort());
    reader.setDaemon(true);
    reader.start();
    try {
      subscribed.get(patience.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      stream.close();
      throw e;
    }
    return stream;
  }

  /** Events are {@code event:} and {@code data:} lines ended by a blank line; a blank line alone is a heartbeat. */
  private void read(Listener listener, CompletableFuture<Void> subscribed) {
    String event = null;
    String data = null;
    String why = "the node closed the stream";
    try {
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        if (line.isEmpty()) {
          if ("subscribed".equals(event)) subscribed.complete(null);
          else if ("order".equals(event) && data != null) dispatch(data, listener);
          event = null;
          data = null;
        } else if (line.startsWith("event:")) {
          event = field(line, "event:");
        } else if (line.startsWith("data:")) {
          data = field(line, "data:");
        }
      }
    } catch (RuntimeException e) {
      // A broken connection, an unreadable event, or close(): the listener hears of it unless closed.
      why = e.toString();
    }
    subscribed.completeExceptionally(new IOException("no subscription: " + why));
    if (!closed) listener.lost(node, why);
  }

  private static String field(String line, String name) {
    String value = line.substring(name.length());
    return value.startsWith(" ") ? value.substring(1) : value;
  }

  private static void dispatch(String data, Listener listener) {
    try {
      JsonNode outcome = MAPPER.readTree(data);
      Outcome ended = Outcome.ofOrder(outcome);
      if (ended != null) listener.outcome(outcome.path("orderId").asText(), ended);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable outcome event: " + data, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    lines.close();
  }
}
