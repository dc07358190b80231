package dev.ssmauditor.aws;

/**
 * A call made by {@link SignedAwsRequests} that failed for good: refused, or still failing after its retries.
 * The directories catch it to say which setting is concerned.
 */
public final class AwsCallException extends RuntimeException {

    private final boolean accessDenied;
    private final int status;
    private final String errorCode;
    private final int attempts;

    AwsCallException(String message, boolean accessDenied, int status, String errorCode, int attempts, Throwable cause) {
        super(message, cause);
        this.accessDenied = accessDenied;
        this.status = status;
        this.errorCode = errorCode;
        this.attempts = attempts;
    }

    /** The HTTP status of the last attempt, 0 when it got no response (I/O error, credentials not resolved). */
    public int status() {
        return status;
    }

    /** AWS's error code, e.g. {@code AccessDeniedException}, or null when there was none. */
    public String errorCode() {
        return errorCode;
    }

    /** True when AWS refused the call (a permission, a trust policy), false for throttling, 5xx or no answer. */
    public boolean accessDenied() {
        return accessDenied;
    }

    public int attempts() {
        return attempts;
    }
}
