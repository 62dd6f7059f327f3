package io.sagaorchestrator.participants.faults;

import java.util.Map;

/** Faults to inject per participant, with the seed that makes a run repeatable. */
public record FaultSettings(long seed, Map<String, ParticipantFaults> byParticipant) {

  public FaultSettings {
    byParticipant = Map.copyOf(byParticipant);
  }

  public static FaultSettings none() {
    return new FaultSettings(42L, Map.of());
  }

  public ParticipantFaults of(String participant) {
    return byParticipant.getOrDefault(participant, ParticipantFaults.NONE);
  }

  /**
   * @param failureRate answer Failed(transient) without applying anything
   * @param timeoutRate apply the command but drop the reply, so the caller cannot know the outcome
   * @param latencyMs delay before applying
   */
  public record ParticipantFaults(double failureRate, double timeoutRate, long latencyMs) {
    public static final ParticipantFaults NONE = new ParticipantFaults(0, 0, 0);

    public ParticipantFaults {
      if (failureRate < 0 || failureRate > 1) throw new IllegalArgumentException("failureRate must be within 0..1");
      if (timeoutRate < 0 || timeoutRate > 1) throw new IllegalArgumentException("timeoutRate must be within 0..1");
      if (latencyMs < 0 || latencyMs > 60_000) throw new IllegalArgumentException("latencyMs must be within 0..60000");
    }
  }
}
