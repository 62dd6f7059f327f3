package io.sagaorchestrator.infra.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaKeeper;
import io.sagaorchestrator.participants.faults.FaultSettings;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** The typed view of the engine's and the node's part of the {@code saga} section (modules read their own). */
public record SagaSettings(
    HttpSettings http,
    SagaEntity.EngineSettings engine,
    SagaKeeper.Settings keeper,
    FaultSettings faults) {

  /**
   * {@code clientToken}: empty, or the token a client's reads and cancels of orders need;
   * {@code bulkRetryPerSecond}: how fast POST /admin/sagas/retry resumes the parked sagas it selected.
   */
  public record HttpSettings(String host, int port, String adminToken, String clientToken, Duration askTimeout, int askAttempts,
      int bulkRetryPerSecond) {}

  public static SagaSettings from(Config config) {
    Config saga = config.getConfig("saga");
    Config http = saga.getConfig("http");
    return new SagaSettings(
        new HttpSettings(http.getString("host"), http.getInt("port"), http.getString("admin-token").trim(),
            http.getString("client-token").trim(), http.getDuration("ask-timeout"), http.getInt("ask-attempts"), positive(http, "bulk-retry-per-second")),
        new SagaEntity.EngineSettings(saga.getDuration("engine.passivate-after-end")),
        new SagaKeeper.Settings(saga.getDuration("keeper.poll-interval"), saga.getDuration("keeper.stall-after"),
            saga.getDuration("keeper.gap-timeout"), saga.getDuration("keeper.checkpoint-interval"), saga.getInt("keeper.window"),
            saga.getInt("keeper.max-wakeups-per-second")),
        faults(saga.getConfig("faults")));
  }

  private static int positive(Config c, String key) {
    int value = c.getInt(key);
    if (value < 1) throw new IllegalArgumentException("saga.http." + key + ": must be at least 1");
    return value;
  }

  private static FaultSettings faults(Config c) {
    Map<String, FaultSettings.ParticipantFaults> byParticipant = new TreeMap<>();
    for (String participant : c.root().keySet()) {
      if (c.getValue(participant).valueType() == ConfigValueType.OBJECT) {
        byParticipant.put(participant, participantFaults(c.getConfig(participant)));
      }
    }
    return new FaultSettings(c.getLong("seed"), byParticipant);
  }

  private static FaultSettings.ParticipantFaults participantFaults(Config c) {
    return new FaultSettings.ParticipantFaults(c.getDouble("failure-rate"), c.getDouble("timeout-rate"), c.getLong("latency-ms"));
  }
}
