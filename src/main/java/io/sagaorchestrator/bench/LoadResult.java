package io.sagaorchestrator.bench;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.HdrHistogram.Histogram;

/**
 * What a load run counted. The measured window runs from the first order after the warm-up to the
 * last terminal status seen; latencies are of the measured orders only. {@code atCapacityAnswers}:
 * placements answered 429 (each placed again after a pause).
 */
record LoadResult(
    long placed,
    long terminal,
    Map<Outcome, Long> outcomes,
    long unexpectedOutcomes,
    long unfinished,
    long rejectedPlacements,
    long httpErrors,
    long follows,
    long streamed,
    double windowSeconds,
    long terminalInWindow,
    double sagasPerSecond,
    double runSeconds,
    double windowStartSeconds,
    Histogram latencyMicros,
    Map<Outcome, Histogram> latencyMicrosByOutcome,
    Histogram acceptMicros,
    Histogram sinceAcceptMicros,
    long atCapacityAnswers,
    List<Tick> timeline,
    OptionalLong journalRowsAtWindowStart,
    OptionalLong journalRowsAtWindowEnd,
    double cpuSecondsInWindow) {}
