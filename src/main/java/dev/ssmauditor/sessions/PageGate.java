package dev.ssmauditor.sessions;

/**
 * Asked before every page of a listing: the audit checks its deadline there, so that a long listing stops
 * while there is still time to alert what was found and to say so, rather than being killed by the Lambda
 * timeout half-way through a call.
 */
@FunctionalInterface
public interface PageGate {

    /** True to fetch page {@code page} (1-based); false to stop and return what was listed so far. May throw. */
    boolean mayFetch(int page);

    PageGate ALWAYS = page -> true;
}
