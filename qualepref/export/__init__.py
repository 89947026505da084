"""Exports: data tables (csv, xlsx), COPIL pack, transparency poster."""
