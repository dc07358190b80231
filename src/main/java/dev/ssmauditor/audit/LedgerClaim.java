package dev.ssmauditor.audit;

import java.time.Instant;

/**
 * One run's hold on the alert keys it is about to publish.
 *
 * @param token unique to the run: only its holder marks a key sent or releases it
 * @param leaseUntil after this a claim whose run did not finish (it died) may be taken over by another run;
 *                   it is the end of the invocation that made it, so it is shorter than the schedule period
 */
public record LedgerClaim(String token, Instant now, Instant leaseUntil) {
}
