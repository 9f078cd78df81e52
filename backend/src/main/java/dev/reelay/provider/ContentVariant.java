package dev.reelay.provider;

/** What to download of a finished generation; only some families offer more than the video. */
public enum ContentVariant {

	VIDEO, THUMBNAIL, SPRITESHEET

}
