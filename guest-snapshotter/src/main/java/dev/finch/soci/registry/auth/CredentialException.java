package dev.finch.soci.registry.auth;

/** A credential source is present but broken: unreadable docker config, failing helper. */
public final class CredentialException extends RuntimeException {
  public CredentialException(String message, Throwable cause) {
    super(message, cause);
  }
}
