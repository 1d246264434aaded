package dev.ferry.demo;

import dev.ferry.config.HostPort;
import dev.ferry.topology.SwitchRecord;
import dev.ferry.topology.TopologyListener;
import dev.ferry.topology.NodeRoles;
import dev.ferry.topology.Verdict;

/** Tells what one instance's topology does, in one line each. */
final class InstanceNarrator implements TopologyListener {
    private final String name;
    private final DemoEvents events;

    InstanceNarrator(String name, DemoEvents events) {
        this.name = name;
        this.events = events;
    }

    @Override
    public void onVerdict(Verdict before, Verdict now, NodeRoles roles) {
        if (!now.hasMaster() && before.hasMaster()) {
            events.say(name + ": " + (now.held() != null ? "holding client traffic to " + now.held() : "no master") + ": " + now.reason());
        }
    }

    @Override
    public void onSwitch(SwitchRecord r) {
        events.say(name + ": master " + r.from() + " -> " + r.to() + " after " + r.took().toMillis() + " ms (" + r.basis() + ")");
    }

    @Override
    public void onFence(HostPort node, HostPort newMaster, boolean succeeded) {
        events.say(name + ": fenced old master " + node + " (REPLICAOF " + newMaster + ")" + (succeeded ? "" : " failed"));
    }
}
