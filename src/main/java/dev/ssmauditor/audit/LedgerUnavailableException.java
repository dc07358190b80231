package dev.ssmauditor.audit;

/** The alert ledger could not be read or written (after the SDK's retries). */
public final class LedgerUnavailableException extends RuntimeException {

    public LedgerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
