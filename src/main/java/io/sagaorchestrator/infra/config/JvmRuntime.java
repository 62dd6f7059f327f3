package io.sagaorchestrator.infra.config;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * The JVM a node or a bench runs in: its throughput depends on the cores and the garbage
 * collector as much as on the code, so the node logs this at start-up and the bench reports it.
 */
public record JvmRuntime(String javaVersion, int cores, List<String> garbageCollectors, long maxHeapBytes) {

  public static JvmRuntime current() {
    return new JvmRuntime(
        Runtime.version().toString(),
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList(),
        Runtime.getRuntime().maxMemory());
  }

  /** The Parallel collector's beans are named "PS Scavenge" and "PS MarkSweep". */
  public boolean parallelGc() {
    return garbageCollectors.stream().anyMatch(name -> name.startsWith("PS "));
  }

  public String describe() {
    return String.format(Locale.ROOT, "Java %s, %d cores, GC %s, max heap %,d MiB", javaVersion, cores,
        String.join(" + ", garbageCollectors), maxHeapBytes / 1048576);
  }
}
