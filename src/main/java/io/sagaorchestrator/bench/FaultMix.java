package io.sagaorchestrator.bench;

import io.sagaorchestrator.client.NodeClient;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The fault injection the options ask for, set on every node's participants; closing restores what was set before. */
final class FaultMix implements AutoCloseable {
  private final List<NodeClient> nodes;
  private final String previous;

  private FaultMix(List<NodeClient> nodes, String previous) {
    this.nodes = nodes;
    this.previous = previous;
  }

  /** Null when the options inject no fault: the nodes are left as they are. */
  static FaultMix apply(List<NodeClient> nodes, BenchOptions options, PrintWriter out) {
    if (!options.injectsFaults()) return null;
    String previous = nodes.get(0).adminGet("/admin/faults").json().toString();
    String participant = String.format(Locale.ROOT, "{\"failureRate\":%s,\"timeoutRate\":%s,\"latencyMs\":%d}",
        options.failureRate, options.timeoutRate, options.latencyMs);
    String faults = "{\"seed\":" + options.seed + ",\"payment\":" + participant + ",\"inventory\":" + participant
        + ",\"shipping\":" + participant + "}";
    putEverywhere(nodes, faults);
    out.println("faults on every participant: " + participant);
    return new FaultMix(nodes, previous);
  }

  @Override
  public void close() {
    putEverywhere(nodes, previous);
  }

  private static void putEverywhere(List<NodeClient> nodes, String json) {
    for (NodeClient node : nodes) {
      NodeClient.Response response = node.adminPut("/admin/faults", json);
      if (response.status() != 200) {
        throw new IllegalStateException("PUT /admin/faults on " + node.baseUrl() + ": HTTP " + response.status() + " " + response.body());
      }
    }
  }
}
