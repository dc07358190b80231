package dev.ssmauditor.sessions;

/**
 * Owners are ARNs ({@code arn:aws:sts::123456789012:assumed-role/Admin/alice}), but some outputs have shown
 * them without the {@code arn:} prefix. Patterns are written against full ARNs, so the prefix is restored.
 */
public final class OwnerNormaliser {

    private OwnerNormaliser() {
    }

    public static String normalise(String owner) {
        if (owner == null) {
            return null;
        }
        String trimmed = owner.trim();
        if (trimmed.isEmpty()) {
            return null;
        }
        if (trimmed.startsWith("aws:") || trimmed.startsWith("aws-cn:") || trimmed.startsWith("aws-us-gov:")
                || trimmed.startsWith("aws-iso")) {
            return "arn:" + trimmed;
        }
        return trimmed;
    }
}
