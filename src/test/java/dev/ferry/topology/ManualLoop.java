package dev.ferry.topology;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/** Stands in for the topology's thread: tasks posted to it run when the test says, on the test's thread. */
final class ManualLoop implements Executor {
    private final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(task);
        notifyAll();
    }

    /** Runs what was posted so far; returns how many tasks ran. */
    int runPending() {
        int n = 0;
        Runnable r;
        while ((r = poll()) != null) {
            r.run();
            n++;
        }
        return n;
    }

    /** Waits (bounded) until a task was posted, then runs the pending ones. */
    int awaitAndRun(long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        synchronized (this) {
            while (tasks.isEmpty() && System.currentTimeMillis() < until) wait(Math.max(1, until - System.currentTimeMillis()));
        }
        return runPending();
    }

    private synchronized Runnable poll() {
        return tasks.poll();
    }
}
