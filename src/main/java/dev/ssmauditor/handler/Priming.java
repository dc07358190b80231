package dev.ssmauditor.handler;

import dev.ssmauditor.policy.PatternList;
import dev.ssmauditor.policy.Policy;

/** What both handlers prime their SnapStart snapshot with. */
final class Priming {

    private Priming() {
    }

    /** The configured rules, plus an owner rule the canned session breaks, so that priming runs the alert path too. */
    static Policy policy(Policy p) {
        return new Policy(p.maxSessionMinutes(), p.durationLimits(), PatternList.of("arn:aws:iam::*:user/not-priming"),
                p.allowedTargets(), p.deniedTargets(), p.allowedDocuments(), p.severities());
    }
}
