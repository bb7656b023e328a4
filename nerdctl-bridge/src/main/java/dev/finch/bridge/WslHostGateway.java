package dev.finch.bridge;

import dev.finch.process.CommandFailedException;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandRunner;
import dev.finch.process.CommandSpec;

/**
 * The Windows host's address on the WSL network, read from {@code netsh interface ipv4 show
 * addresses "vEthernet (WSL)"} as Finch does; a WSL2 guest reaches the host there.
 *
 * @param runner the process seam
 */
public record WslHostGateway(CommandRunner runner) implements TranslationContext.WindowsGateway {
  static final String ADAPTER = "vEthernet (WSL)";

  @Override
  public String address() throws BridgeException {
    CommandResult r;
    try {
      r = runner.run(CommandSpec.of("netsh", "interface", "ipv4", "show", "addresses", ADAPTER));
    } catch (CommandFailedException e) {
      throw new BridgeException("cannot resolve host-gateway: " + e.getMessage(), e);
    }
    return parse(r.out())
        .orElseThrow(
            () ->
                new BridgeException(
                    "cannot resolve host-gateway: "
                        + "no IP address found for the \""
                        + ADAPTER
                        + "\" network adapter"));
  }

  /** The {@code IP Address:} value of netsh's output. */
  static java.util.Optional<String> parse(String netsh) {
    for (String line : netsh.split("\\R")) {
      String t = line.trim();
      if (t.startsWith("IP Address:")) {
        return java.util.Optional.of(t.substring("IP Address:".length()).trim());
      }
    }
    return java.util.Optional.empty();
  }
}
