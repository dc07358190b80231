package dev.ssmauditor.config;

import dev.ssmauditor.policy.Glob;
import dev.ssmauditor.policy.PatternList;

import java.util.ArrayList;
import java.util.List;

/** Comma-separated globs from an environment variable: blank means the check is off, an empty item is a mistake. */
final class PatternListParser {

    private PatternListParser() {
    }

    static PatternList parse(String setting, String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            return PatternList.OFF;
        }
        List<Glob> globs = new ArrayList<>();
        String[] items = value.split(",", -1);
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            if (item.isEmpty()) {
                problems.add(setting + ": item " + (i + 1) + " of " + items.length + " is empty (a stray comma?); "
                        + "give comma-separated patterns such as 'i-0abc*,mi-*', or leave " + setting + " empty to switch the check off");
            } else {
                globs.add(new Glob(item));
            }
        }
        return new PatternList(globs);
    }
}
