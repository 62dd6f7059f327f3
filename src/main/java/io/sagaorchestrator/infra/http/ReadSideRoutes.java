package io.sagaorchestrator.infra.http;

import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import io.sagaorchestrator.infra.http.dto.Dtos.ReadSideResponse;
import io.sagaorchestrator.infra.readside.ReadSide;
import io.sagaorchestrator.infra.readside.ReadSideLag;
import java.util.Map;

/** {@code GET /admin/read-side}: whether this node keeps the read side, and how far its projections lag. */
public final class ReadSideRoutes extends AllDirectives {
  private final ReadSide readSide;

  public ReadSideRoutes(ReadSide readSide) {
    this.readSide = readSide;
  }

  public Route route() {
    return path("read-side", () -> get(() -> complete(HttpJson.ok(new ReadSideResponse(readSide.enabled(),
        readSide.settings().slices(), readSide.lag().map(ReadSideLag::sinceStartMillis).orElse(Map.of()))))));
  }
}
