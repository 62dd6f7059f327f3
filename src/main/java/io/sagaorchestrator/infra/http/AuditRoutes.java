package io.sagaorchestrator.infra.http;

import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import io.sagaorchestrator.infra.audit.JournalAudit;
import java.util.concurrent.TimeUnit;
import scala.concurrent.duration.FiniteDuration;

/** {@code GET /admin/audit} (under /admin: the caller checks the bearer token). */
public final class AuditRoutes extends AllDirectives {
  /** A full audit reads the whole journal: far longer than an ordinary request may take. */
  private static final FiniteDuration AUDIT_TIMEOUT = FiniteDuration.create(30, TimeUnit.MINUTES);

  private final JournalAudit audit;

  public AuditRoutes(JournalAudit audit) {
    this.audit = audit;
  }

  public Route route() {
    return path("audit", () -> get(() -> withRequestTimeout(AUDIT_TIMEOUT, () ->
        completeWithFuture(audit.run().thenApply(HttpJson::ok)))));
  }
}
