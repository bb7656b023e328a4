package dev.finch.soci.store;

import com.fasterxml.jackson.annotation.JsonValue;

/** What an artifacts database entry describes; the values are the reference's strings. */
public enum ArtifactType {
  SOCI_INDEX("soci_index"),
  SOCI_LAYER("soci_layer"),
  SOCI_PREFETCH("soci_prefetch");

  private final String wire;

  ArtifactType(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }
}
