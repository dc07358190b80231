package dev.ssmauditor.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Open longer than the limit that applies: the first matching {@link DurationLimit}, else the default. */
final class LongRunningRule implements Rule {

    private final int defaultMinutes;
    private final List<DurationLimit> limits;

    LongRunningRule(int defaultMinutes, List<DurationLimit> limits) {
        this.defaultMinutes = defaultMinutes;
        this.limits = limits;
    }

    @Override
    public RuleId id() {
        return RuleId.LONG_RUNNING;
    }

    @Override
    public Optional<Breach> check(Session session, Duration openFor) {
        if (openFor == null) {
            return Optional.empty(); // no start date: nothing to measure; the other rules still apply
        }
        Optional<DurationLimit> specific = limits.stream().filter(l -> l.appliesTo(session)).findFirst();
        int minutes = specific.map(DurationLimit::maxSessionMinutes).orElse(defaultMinutes);
        if (openFor.compareTo(Duration.ofMinutes(minutes)) <= 0) {
            return Optional.empty();
        }
        String scope = specific.map(l -> " for " + l.scope()).orElse("");
        // Exactly at the limit is allowed, so the violation begins one nanosecond later: a run judged at that very
        // instant finds no violation, and its "began at or before the reference time" must agree.
        Instant since = session.startDate().plus(Duration.ofMinutes(minutes)).plusNanos(1);
        return Optional.of(new Breach("open " + DurationText.of(openFor) + "; limit " + DurationText.of(Duration.ofMinutes(minutes))
                + scope, since));
    }
}
