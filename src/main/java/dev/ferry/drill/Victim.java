package dev.ferry.drill;

/** The proxy instance a drill kills behind the load balancer: killing it, and telling when it is back. */
interface Victim {
    /** Its name as the load balancer knows it. */
    String name();

    /** SIGKILL, waiting for the exit; returns what was done, for the timeline. */
    String kill() throws DrillStopped;

    /** SIGTERM, without waiting: the instance stops as it would under systemctl stop; returns what was done. */
    String stop() throws DrillStopped;

    /** True once the process killed or stopped has exited. */
    boolean exited();

    /** The pid of a process running again in its place after {@link #kill}, or -1 while there is none. */
    long restartedPid();

    /** True when its health URL answers 200, as the load balancer's check asks it. */
    boolean healthy();

    /** Who starts it again, for the report. */
    String restartedBy();
}
