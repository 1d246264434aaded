package dev.ferry.config;

/** A configuration mistake, worded for an operator: it names the key and what is wrong. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
