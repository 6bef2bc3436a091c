package io.omix.server.apps;

/** A partner application of the private platform; its namespace holds its data. */
public record PrivateApp(String appKey, String name, String namespace, boolean disabled) {}
