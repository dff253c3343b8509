package dev.patchbay.core.command;

/** How a command prints its result: for people, or as one JSON document on stdout. */
public enum OutputFormat {
    TEXT, JSON
}
