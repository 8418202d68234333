package org.sdcdocker.protocol.agent;

/** One layer blob of an image, as the image service stores it. */
public record LayerRef(String digest, String mediaType, long size) {}
