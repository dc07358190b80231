package dev.ssmauditor.config;

import dev.ssmauditor.coverage.AccountScope;
import dev.ssmauditor.coverage.CoverageSettings;
import dev.ssmauditor.coverage.RegionScope;
import software.amazon.awssdk.regions.Region;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads what a sweep covers: {@code AUDIT_ACCOUNTS}, {@code AUDIT_REGIONS}, {@code MEMBER_ROLE_NAME}, {@code AUDIT_CONCURRENCY}. */
final class CoverageParser {

    static final String ORGANIZATION = "organization";
    static final String ENABLED = "enabled";
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d{1,2}");
    /** IAM's own rule for role names. */
    private static final Pattern ROLE_NAME = Pattern.compile("[\\w+=,.@-]{1,64}");

    private CoverageParser() {
    }

    static CoverageSettings parse(Map<String, String> env, List<String> problems) {
        AccountScope accounts = accounts(env.get(Settings.AUDIT_ACCOUNTS), problems);
        RegionScope regions = regions(env.get(Settings.AUDIT_REGIONS), problems);
        String role = roleName(env.get(Settings.MEMBER_ROLE_NAME), problems);
        int concurrency = concurrency(env.get(Settings.AUDIT_CONCURRENCY), problems);
        String queue = queueUrl(env.get(Settings.SHARD_QUEUE_URL), problems);
        int receives = maxReceives(env.get(Settings.SHARD_MAX_RECEIVES), problems);
        return new CoverageSettings(accounts, regions, role, concurrency, queue, receives);
    }

    private static String queueUrl(String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String url = value.trim();
        if (!url.matches("https?://\\S+/\\d{12}/[A-Za-z0-9_-]{1,80}")) {
            problems.add(Settings.SHARD_QUEUE_URL + ": '" + url + "' is not an SQS queue URL (https://sqs.REGION.amazonaws.com/"
                    + "ACCOUNT/NAME); the template sets it when SweepMode=sharded, leave it unset otherwise");
        }
        return url;
    }

    private static int maxReceives(String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            return CoverageSettings.DEFAULT_MAX_RECEIVES;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(Settings.SHARD_MAX_RECEIVES + ": '" + value + "' is not a whole number from 1 to 1000; set it to the "
                + "shard queue's maxReceiveCount (the template does)");
        return CoverageSettings.DEFAULT_MAX_RECEIVES;
    }

    private static AccountScope accounts(String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            return AccountScope.SELF;
        }
        if (value.trim().equalsIgnoreCase(ORGANIZATION)) {
            return new AccountScope(AccountScope.Kind.ORGANIZATION, List.of());
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String item : value.split(",")) {
            String id = item.trim();
            if (id.isEmpty()) {
                continue;
            }
            if (!ACCOUNT_ID.matcher(id).matches()) {
                problems.add(Settings.AUDIT_ACCOUNTS + ": '" + id + "' is not an AWS account id (12 digits, leading zeros kept); "
                        + "set a comma-separated list such as 111111111111,222222222222, or 'organization' for every active "
                        + "account of the organisation, or leave it empty for this account only");
                continue;
            }
            ids.add(id);
        }
        return ids.isEmpty() ? AccountScope.SELF : new AccountScope(AccountScope.Kind.LISTED, new ArrayList<>(ids));
    }

    private static RegionScope regions(String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            return RegionScope.SELF;
        }
        if (value.trim().equalsIgnoreCase(ENABLED)) {
            return new RegionScope(RegionScope.Kind.ENABLED, List.of());
        }
        Set<String> known = new java.util.HashSet<>();
        Region.regions().forEach(r -> known.add(r.id()));
        Set<String> names = new LinkedHashSet<>();
        for (String item : value.split(",")) {
            String name = item.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!REGION.matcher(name).matches() || !known.contains(name)) {
                problems.add(Settings.AUDIT_REGIONS + ": '" + name + "' is not an AWS region this build knows (e.g. eu-west-1, "
                        + "us-east-1); set a comma-separated list of region codes, or 'enabled' for the regions enabled in "
                        + "each account, or leave it empty for the function's own region");
                continue;
            }
            names.add(name);
        }
        return names.isEmpty() ? RegionScope.SELF : new RegionScope(RegionScope.Kind.LISTED, new ArrayList<>(names));
    }

    private static String roleName(String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            return CoverageSettings.DEFAULT_MEMBER_ROLE;
        }
        String name = value.trim();
        if (!ROLE_NAME.matcher(name).matches()) {
            problems.add(Settings.MEMBER_ROLE_NAME + ": '" + name + "' is not an IAM role name (1 to 64 letters, digits and "
                    + "+=,.@_-, no path); set the name of the role the member stack creates in every account, e.g. "
                    + CoverageSettings.DEFAULT_MEMBER_ROLE);
        }
        return name;
    }

    private static int concurrency(String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            return CoverageSettings.DEFAULT_CONCURRENCY;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= CoverageSettings.MAX_CONCURRENCY) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(Settings.AUDIT_CONCURRENCY + ": '" + value + "' is not a whole number from 1 to "
                + CoverageSettings.MAX_CONCURRENCY + "; it is how many account-regions are audited at once (default "
                + CoverageSettings.DEFAULT_CONCURRENCY + ")");
        return CoverageSettings.DEFAULT_CONCURRENCY;
    }
}
