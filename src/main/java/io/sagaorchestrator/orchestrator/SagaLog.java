package io.sagaorchestrator.orchestrator;

import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * A saga's log (its entity's, or its starter's): every line carries the saga's {@code sagaId} and, once known, its
 * {@code correlationId} in the MDC, so that an operator can follow one saga (or one request
 * across sagas) through the log, also in JSON. The MDC is set around each line written rather
 * than around each message, so a line costs it only when its level is on, and lines written in
 * the journal's callbacks carry it too.
 */
public final class SagaLog {
  static final String SAGA_ID = "sagaId";
  static final String CORRELATION_ID = "correlationId";

  private final String sagaId;
  private final Logger logger;
  private String correlationId;

  public SagaLog(String sagaId, Logger logger) {
    this.sagaId = sagaId;
    this.logger = logger;
  }

  public void correlationIs(String correlationId) {
    if (correlationId != null) this.correlationId = correlationId;
  }

  public void debug(String format, Object... args) {
    if (logger.isDebugEnabled()) withMdc(() -> logger.debug(format, args));
  }

  public void info(String format, Object... args) {
    if (logger.isInfoEnabled()) withMdc(() -> logger.info(format, args));
  }

  public void warn(String format, Object... args) {
    if (logger.isWarnEnabled()) withMdc(() -> logger.warn(format, args));
  }

  private void withMdc(Runnable line) {
    MDC.put(SAGA_ID, sagaId);
    if (correlationId != null) MDC.put(CORRELATION_ID, correlationId);
    try {
      line.run();
    } finally {
      MDC.remove(SAGA_ID);
      MDC.remove(CORRELATION_ID);
    }
  }
}
