"""Bundled demo data: a seeded generator for two survey exports and a loader through the real importer."""
