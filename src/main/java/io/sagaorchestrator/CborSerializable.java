package io.sagaorchestrator;

/**
 * Marker for every message and event that crosses a node or reaches the journal.
 * Bound to Akka's jackson-cbor serializer in saga-node.conf; Akka 2.8 ships no main-scope marker.
 */
public interface CborSerializable {}
