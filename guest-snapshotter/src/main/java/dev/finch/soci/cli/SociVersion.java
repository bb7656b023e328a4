package dev.finch.soci.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code soci --version}: the reference prints "soci version <v> <revision>". */
final class SociVersion implements IVersionProvider {
  static String version() {
    String v = SociVersion.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-dev" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"soci version " + version() + " finch-java"};
  }
}
