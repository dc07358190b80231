package dev.ssmauditor.sessions;

/** The sessions could not be listed completely; an audit must not go on with part of them. */
public final class SessionListingException extends RuntimeException {

    public SessionListingException(String message) {
        super(message);
    }

    public SessionListingException(String message, Throwable cause) {
        super(message, cause);
    }
}
