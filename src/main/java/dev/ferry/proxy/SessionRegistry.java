package dev.ferry.proxy;

import dev.ferry.config.HostPort;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Which sessions are attached to which node, so a change of master can cut or hold them all at once. */
final class SessionRegistry {
    private final Map<HostPort, Set<RoutedSession>> byNode = new ConcurrentHashMap<>();

    void add(RoutedSession s) {
        byNode.computeIfAbsent(s.node(), n -> ConcurrentHashMap.newKeySet()).add(s);
    }

    void remove(RoutedSession s) {
        Set<RoutedSession> set = byNode.get(s.node());
        if (set != null) set.remove(s);
    }

    /** Tells every session on the node that it is no longer the master; returns how many there were. */
    int leave(HostPort node, boolean demoted) {
        Set<RoutedSession> set = byNode.get(node);
        if (set == null) return 0;
        int n = 0;
        for (RoutedSession s : set) {
            s.leave(node, demoted);
            n++;
        }
        return n;
    }

    void hold(HostPort node) {
        Set<RoutedSession> set = byNode.get(node);
        if (set != null) set.forEach(RoutedSession::hold);
    }

    void release(HostPort node) {
        Set<RoutedSession> set = byNode.get(node);
        if (set != null) set.forEach(RoutedSession::release);
    }

    int count(HostPort node) {
        Set<RoutedSession> set = byNode.get(node);
        return set == null ? 0 : set.size();
    }
}
