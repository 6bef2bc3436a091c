package io.omix.server.samples;

/** A research project samples belong to. */
public record Project(String projectId, String name, int omic, String consortium, String dataProvider, String publicDescription) {}
