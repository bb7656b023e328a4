package dev.finch.soci.registry;

import dev.finch.soci.registry.auth.AuthChallenge;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers that mean "the credentials expired" without being a 401, which the reference snapshotter
 * also treats as a reason to authenticate again:
 *
 * <ul>
 *   <li>Amazon ECR answers 403 with {@code Your authorization token has expired. Reauthenticate and
 *       try again.} (e.g. {@code {"errors":[{"code":"DENIED","message":"Your authorization token
 *       has expired. Reauthenticate and try again."}]}}) once its 12-hour token runs out. It is
 *       answered like a Basic challenge, {@link #ecrChallenge}, with credentials asked for afresh.
 *   <li>S3 answers 400 {@code application/xml} with {@code <Error><Code>ExpiredToken</Code>
 *       <Message>The provided token has expired.</Message>...</Error>} when the pre-signed URL a
 *       blob redirected to was signed with a session token that has since expired. The registry is
 *       asked for the blob again, which redirects to a freshly signed URL.
 * </ul>
 *
 * @see <a
 *     href="https://docs.aws.amazon.com/AmazonECR/latest/userguide/common-errors-docker.html">ECR
 *     errors</a>
 * @see <a href="https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html">S3 error
 *     responses</a>
 */
final class ExpiredAuth {
  /** How much of an error body is looked at. */
  static final int PEEK = 8 * 1024;

  private static final String ECR_EXPIRED = "your authorization token has expired";
  private static final String S3_EXPIRED = "<Code>ExpiredToken</Code>";
  private static final Pattern S3_MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

  private ExpiredAuth() {}

  /** True for ECR's 403 "Your authorization token has expired". */
  static boolean isEcrTokenExpired(int status, byte[] body) {
    return status == 403 && text(body).toLowerCase(Locale.ROOT).contains(ECR_EXPIRED);
  }

  /**
   * The challenge ECR would have sent with a 401: {@code Basic
   * realm="https://<host>/",service="ecr.amazonaws.com"}.
   */
  static AuthChallenge ecrChallenge(String host) {
    return new AuthChallenge(
        "basic", Map.of("realm", "https://" + host + "/", "service", "ecr.amazonaws.com"));
  }

  /**
   * True for S3's 400 {@code ExpiredToken}; {@code mediaType} is the Content-Type without
   * parameters.
   */
  static boolean isExpiredStorageToken(int status, String mediaType, byte[] body) {
    return status == 400
        && "application/xml".equalsIgnoreCase(mediaType)
        && text(body).contains(S3_EXPIRED);
  }

  /** {@code ExpiredToken: <S3's message>}, for error messages. */
  static String storageDetail(byte[] body) {
    Matcher m = S3_MESSAGE.matcher(text(body));
    return m.find() ? "ExpiredToken: " + m.group(1).strip() : "ExpiredToken";
  }

  private static String text(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }
}
