package io.sagaorchestrator.infra.http;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.Supplier;

/**
 * Routes behind {@code Authorization: Bearer <token>}: any of the tokens given opens them (none
 * given: they are open). Compared in constant time, so a response's timing tells nothing of the
 * token; a refusal never repeats it.
 */
public final class BearerToken extends AllDirectives {
  private final List<byte[]> accepted;
  private final String refusal;

  /** {@code refusal}: what a 401 says the routes need. */
  public BearerToken(List<String> tokens, String refusal) {
    this.accepted = tokens.stream().map(token -> ("Bearer " + token).getBytes(StandardCharsets.UTF_8)).toList();
    this.refusal = refusal;
  }

  public Route required(Supplier<Route> inner) {
    if (accepted.isEmpty()) return inner.get();
    return optionalHeaderValueByName("Authorization", given -> {
      byte[] value = given.map(header -> header.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
      boolean authorized = false;
      for (byte[] token : accepted) authorized |= MessageDigest.isEqual(value, token);
      return authorized ? inner.get() : complete(HttpJson.error(StatusCodes.UNAUTHORIZED, refusal));
    });
  }
}
