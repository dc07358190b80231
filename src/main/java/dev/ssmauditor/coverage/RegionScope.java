package dev.ssmauditor.coverage;

import java.util.List;

/**
 * Which regions a sweep audits in each account ({@code AUDIT_REGIONS}).
 *
 * @param names the regions listed; empty unless {@link Kind#LISTED}
 */
public record RegionScope(Kind kind, List<String> names) {

    public enum Kind {
        /** The function's own region. */
        SELF,
        /** The regions listed, in every account. */
        LISTED,
        /** The regions enabled in each account, asked of each account. */
        ENABLED
    }

    public static final RegionScope SELF = new RegionScope(Kind.SELF, List.of());

    public RegionScope {
        names = List.copyOf(names);
    }
}
