package dev.ssmauditor.coverage;

/**
 * Something stopped an account, a region or the whole organisation from being listed or reached. The message says
 * what, which setting is concerned when one is, and the fix.
 */
public class CoverageException extends RuntimeException {

    private final boolean accessDenied;

    public CoverageException(String message, boolean accessDenied, Throwable cause) {
        super(message, cause);
        this.accessDenied = accessDenied;
    }

    public CoverageException(String message, boolean accessDenied) {
        this(message, accessDenied, null);
    }

    /** True when AWS refused the call (missing role, trust or permission), false for throttling, 5xx or timeouts. */
    public boolean accessDenied() {
        return accessDenied;
    }
}
