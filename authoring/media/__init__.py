"""Media files for the library: sniffing (authoring.media.sniff), SVG sanitising (.svg),
captions (.captions) and raster images with their renditions (.images)."""
