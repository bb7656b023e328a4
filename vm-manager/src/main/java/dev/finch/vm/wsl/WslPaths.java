package dev.finch.vm.wsl;

/**
 * Windows paths as a WSL2 guest sees them: {@code C:\Users\me\src} is {@code /mnt/c/Users/me/src}
 * (drive letter lower-cased), which is what Finch's {@code convertToWSLPath} produces. Pure string
 * work so it can be tested on any OS.
 */
public final class WslPaths {
  private WslPaths() {}

  /**
   * Whether {@code s} looks like a Windows path ({@code C:\...}, {@code C:/...} or with
   * backslashes).
   */
  public static boolean isWindowsPath(String s) {
    return hasDrive(s) || s.contains("\\");
  }

  private static boolean hasDrive(String s) {
    return s.length() >= 2
        && Character.isLetter(s.charAt(0))
        && s.charAt(1) == ':'
        && (s.length() == 2 || s.charAt(2) == '\\' || s.charAt(2) == '/');
  }

  /**
   * Converts an absolute Windows path; a relative one is resolved against {@code cwd} (itself a
   * Windows path) first. Paths that are already POSIX are returned unchanged.
   */
  public static String toWsl(String path, String cwd) {
    String p = path;
    if (!hasDrive(p)) {
      if (p.startsWith("/") || p.startsWith("\\\\")) {
        return p;
      }
      String base = cwd.endsWith("\\") || cwd.endsWith("/") ? cwd : cwd + "\\";
      p = base + p;
    }
    String rest = p.substring(2).replace('\\', '/');
    String normalized = normalize(rest);
    return "/mnt/" + Character.toLowerCase(p.charAt(0)) + normalized;
  }

  private static String normalize(String rest) {
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (String part : rest.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(part);
      }
    }
    return parts.isEmpty() ? "" : "/" + String.join("/", parts);
  }
}
