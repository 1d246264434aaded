package dev.ferry.resp;

import dev.ferry.config.HostPort;
import java.util.List;

/** A Sentinel's answer to {@code SENTINEL GET-MASTER-ADDR-BY-NAME}: {@code [ip, port]}, or a null array for a name it does not know. */
public final class MasterAddressReply {
    private MasterAddressReply() {}

    /** The address it names; null for an unknown name, an error reply, or anything but a two-item array with a valid port. */
    public static HostPort parse(Object reply) {
        if (reply instanceof List<?> hostPort && hostPort.size() == 2) return ReplyValues.address(hostPort.get(0), hostPort.get(1));
        return null;
    }
}
