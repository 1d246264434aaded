package dev.ferry.drill;

/** Something that stops the drill, worded for an operator; a usage mistake or a failure of the drill itself. */
public final class DrillStopped extends Exception {
    private final boolean usageMistake;

    private DrillStopped(String message, boolean usageMistake) {
        super(message, null, false, false);
        this.usageMistake = usageMistake;
    }

    /** The drill could not be done, or was refused. */
    static DrillStopped failure(String message) {
        return new DrillStopped(message, false);
    }

    /** A usage or configuration mistake. */
    static DrillStopped usage(String message) {
        return new DrillStopped(message, true);
    }

    public boolean usageMistake() {
        return usageMistake;
    }
}
