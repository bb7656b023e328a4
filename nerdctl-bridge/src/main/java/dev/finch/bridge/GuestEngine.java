package dev.finch.bridge;

import java.io.PrintWriter;

/**
 * What runs container commands in the guest: nerdctl where it is installed (every VM, and Linux
 * hosts that have it), or ctr plus our soci on a Linux host without nerdctl.
 */
public sealed interface GuestEngine permits NerdctlEngine, CtrSociEngine {
  /**
   * Runs a translated command with the user's terminal attached.
   *
   * @return the guest command's exit status, which becomes finch's
   */
  int execute(Translation translation, PrintWriter out, PrintWriter err) throws BridgeException;

  /** Versions of the guest's engine components. */
  GuestVersions versions() throws BridgeException;
}
