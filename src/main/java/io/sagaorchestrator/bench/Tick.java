package io.sagaorchestrator.bench;

/** One second of the run, for the progress line and the chart. */
record Tick(double t, long placed, long terminal, double sagasPerSecond, double p50Ms, double p99Ms, boolean warmup) {}
