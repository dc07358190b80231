package dev.ssmauditor.audit;

import java.util.Optional;
import java.util.function.Supplier;

/** Where the watermark is kept between runs. */
public interface StateStore {

    /** The saved state; empty when there is none yet or it cannot be read (every violation is then alerted once). */
    Optional<AuditState> load();

    void save(AuditState state);

    /** False when {@link #save} keeps nothing (dry runs, terminal runs): the run then reports no new watermark. */
    default boolean persists() {
        return true;
    }

    /** Reads the watermark but never moves it: dry runs publish nothing, so they must not mark anything as alerted. */
    static StateStore readOnly(StateStore store) {
        return new ReadOnly(store::load);
    }

    /** No memory between runs: every run alerts every current violation (terminal runs). */
    StateStore NONE = new ReadOnly(Optional::empty);

    /** A store whose saves keep nothing. */
    record ReadOnly(Supplier<Optional<AuditState>> loader) implements StateStore {

        @Override
        public Optional<AuditState> load() {
            return loader.get();
        }

        @Override
        public void save(AuditState state) {
            // nothing is kept: this run marks nothing as alerted
        }

        @Override
        public boolean persists() {
            return false;
        }
    }
}
